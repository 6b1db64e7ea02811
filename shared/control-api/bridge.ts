// Owns the shape of what the Electron preload puts on `window.troupe`: the typed client's three
// transports and nothing else, so the renderer runs the same code in the desktop app (through
// IPC to the main process, which holds the token) and in a browser (fetch and a WebSocket with
// the login cookie). The renderer picks the bridge when it is there.

import type { ControlBytesTransport, ControlEventsTransport, ControlTransport } from './control-client.js';

export interface TroupeBridge {
  request: ControlTransport;
  bytes: ControlBytesTransport;
  events: ControlEventsTransport;
  /** The path on disk of a file dropped on the window (Electron's webUtils), so nothing is copied; null outside the app. */
  pathForFile(file: File): string | null;
}

/** The global the preload defines. */
export const BRIDGE_GLOBAL = 'troupe';
