// Owns the main process's end of the window's bridge: one ipcMain handler per channel of the
// fixed list, each refusing foreign senders and unexpected arguments (ipc-guard) before it
// passes the call to the agent with the token the renderer never sees. A refused call answers
// as the agent would (an error body), so the renderer's client reports it like any other.

import { ipcMain, type IpcMainInvokeEvent, type WebContents } from 'electron';
import type { ControlBytesTransport, ControlTransport, EventStreamState } from '../../shared/control-api/control-client.js';
import { isAppUrl } from './app-origin.js';
import { INVOKE_CHANNELS, SEND_CHANNELS } from './ipc-channels.js';
import { checkBytesArgs, checkRequestArgs, checkSender, type Verdict } from './ipc-guard.js';

export interface BridgeBackend {
  json: ControlTransport;
  bytes: ControlBytesTransport;
  eventStreamState(): EventStreamState;
  log(line: string): void;
}

export function serveBridge(backend: BridgeBackend): void {
  ipcMain.handle(INVOKE_CHANNELS.request, async (event, ...args: unknown[]) => {
    senderAllowed(event, backend);
    const checked = checkRequestArgs(args);
    if (!checked.ok) return { status: 400, value: refusedBody(checked) };
    return backend.json(checked.value.method, checked.value.path, checked.value.body);
  });
  ipcMain.handle(INVOKE_CHANNELS.bytes, async (event, ...args: unknown[]) => {
    senderAllowed(event, backend);
    const checked = checkBytesArgs(args);
    if (!checked.ok) return { status: 400, bytes: new TextEncoder().encode(JSON.stringify(refusedBody(checked))), contentType: 'application/json' };
    return backend.bytes(checked.value.method, checked.value.path, checked.value.body);
  });
  ipcMain.handle(INVOKE_CHANNELS.eventStreamState, (event) => {
    senderAllowed(event, backend);
    return backend.eventStreamState();
  });
}

/** Sends an agent event or a stream state to the window, if it shows one of our pages. */
export function sendToWindow(contents: WebContents | null, message: { event: string } | { state: EventStreamState }): void {
  if (!contents || contents.isDestroyed() || !isAppUrl(contents.getURL())) return;
  if ('event' in message) contents.send(SEND_CHANNELS.event, message.event);
  else contents.send(SEND_CHANNELS.eventStreamState, message.state);
}

/** Throws (the renderer's invoke rejects) when the sender is not the top frame of an app:// page. */
function senderAllowed(event: IpcMainInvokeEvent, backend: BridgeBackend): void {
  const frame = event.senderFrame;
  const verdict = checkSender(frame ? { url: frame.url, top: frame.parent === null } : null);
  if (verdict.ok) return;
  backend.log(`refused an IPC call: ${verdict.reason}`);
  throw new Error('Refused');
}

function refusedBody(verdict: Extract<Verdict<unknown>, { ok: false }>): { error: { code: 'bad-request'; message: string } } {
  return { error: { code: 'bad-request', message: `The app refused this call: ${verdict.reason}` } };
}
