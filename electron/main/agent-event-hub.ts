// Owns the main process's one subscription to the agent's event stream and who hears it: the
// window gets each event's text as the agent sent it (its own client checks it), the tray and
// notifications get events that pass the schema. Anyone may ask the stream's state, which the
// window shows ("agent away").

import type { ControlEventsTransport, EventStreamState } from '../../shared/control-api/control-client.js';
import { controlEventSchema, type ControlEvent } from '../../shared/control-api/responses.js';

type Listener<T> = (value: T) => void;

export class AgentEventHub {
  private stateNow: EventStreamState = 'closed';
  private close: (() => void) | null = null;
  private readonly textListeners = new Set<Listener<string>>();
  private readonly eventListeners = new Set<Listener<ControlEvent>>();
  private readonly stateListeners = new Set<Listener<EventStreamState>>();

  constructor(private readonly transport: ControlEventsTransport) {}

  get state(): EventStreamState {
    return this.stateNow;
  }

  start(): void {
    if (this.close) return;
    this.close = this.transport(
      (text) => this.message(text),
      (state) => {
        this.stateNow = state;
        for (const l of this.stateListeners) l(state);
      },
    );
  }

  stop(): void {
    this.close?.();
    this.close = null;
  }

  onText(listener: Listener<string>): void {
    this.textListeners.add(listener);
  }

  onEvent(listener: Listener<ControlEvent>): void {
    this.eventListeners.add(listener);
  }

  onState(listener: Listener<EventStreamState>): void {
    this.stateListeners.add(listener);
  }

  private message(text: string): void {
    for (const l of this.textListeners) l(text);
    if (this.eventListeners.size === 0) return;
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      return;
    }
    // An event this version does not know (a newer agent) or a malformed one is not acted on.
    const parsed = controlEventSchema.safeParse(raw);
    if (!parsed.success) return;
    for (const l of this.eventListeners) l(parsed.data);
  }
}
