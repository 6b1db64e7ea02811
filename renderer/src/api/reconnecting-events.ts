import type { ControlEventsTransport, EventStreamState } from '../../../shared/control-api/control-client.js';

export interface ReconnectOptions {
  /** First wait after a drop; doubles each failed try up to maxDelayMs. */
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** Subprotocols to offer (the browser session travels as one: a page cannot set headers on a WebSocket). */
  protocols?: string[];
  createSocket?: (url: string, protocols: string[]) => WebSocket;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
}

/**
 * The agent's event stream over a WebSocket that comes back by itself: the agent restarts, the
 * laptop sleeps. Each drop reports 'closed' at once (the UI says so) and retries with backoff,
 * so nothing waits on a socket that will not open.
 */
export function reconnectingEvents(url: string, options: ReconnectOptions = {}): ControlEventsTransport {
  const initialDelayMs = options.initialDelayMs ?? 500;
  const maxDelayMs = options.maxDelayMs ?? 10_000;
  const protocols = options.protocols ?? [];
  const createSocket = options.createSocket ?? ((u: string, p: string[]) => new WebSocket(u, p));
  const setTimer = options.setTimer ?? ((fn: () => void, ms: number) => setTimeout(fn, ms));
  const clearTimer = options.clearTimer ?? ((h: unknown) => clearTimeout(h as ReturnType<typeof setTimeout>));

  return (message, state) => {
    let socket: WebSocket | null = null;
    let timer: unknown = null;
    let delayMs = initialDelayMs;
    let stopped = false;
    let last: EventStreamState | null = null;
    const report = (s: EventStreamState) => {
      if (s !== last) state((last = s));
    };

    const open = () => {
      timer = null;
      if (stopped) return;
      report(last === 'closed' ? 'closed' : 'connecting');
      let ws: WebSocket;
      try {
        ws = createSocket(url, protocols);
      } catch {
        return retry();
      }
      socket = ws;
      ws.onopen = () => {
        delayMs = initialDelayMs;
        report('open');
      };
      ws.onmessage = (e: MessageEvent) => {
        if (typeof e.data === 'string') message(e.data);
      };
      ws.onclose = () => {
        if (socket !== ws) return;
        socket = null;
        retry();
      };
      // An error is always followed by close; the close handler retries.
      ws.onerror = () => undefined;
    };
    const retry = () => {
      if (stopped) return;
      report('closed');
      timer = setTimer(open, delayMs);
      delayMs = Math.min(maxDelayMs, delayMs * 2);
    };

    open();
    return () => {
      stopped = true;
      if (timer !== null) clearTimer(timer);
      const ws = socket;
      socket = null;
      ws?.close();
    };
  };
}
