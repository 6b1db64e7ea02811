import { schemaChecks } from '../../../shared/control-api/answer-checks.js';
import { ControlApiClient } from '../../../shared/control-api/control-client.js';
import { BRIDGE_GLOBAL, type TroupeBridge } from '../../../shared/control-api/bridge.js';
import { EVENTS_PATH } from '../../../shared/control-api/routes.js';
import { CONTROL_TOKEN_SUBPROTOCOL_PREFIX } from '../../../shared/control-api/index.js';
import { browserSession } from './browser-session.js';
import { fetchBytesTransport, fetchJsonTransport } from './fetch-transports.js';
import { reconnectingEvents } from './reconnecting-events.js';

/** What the UI needs of the typed client; tests hand in a fake of this shape. */
export type TroupeClient = Pick<ControlApiClient, 'call' | 'taskImage' | 'upload' | 'subscribe'>;

export interface AgentConnection {
  client: TroupeClient;
  /** In the desktop app, the dropped file's path on disk (nothing to upload); null in a browser. */
  pathForFile(file: File): string | null;
  /** 'desktop': the Electron bridge; 'browser': fetch and WebSocket on this origin. */
  kind: 'desktop' | 'browser';
}

export function connectToAgent(win: Window = window): AgentConnection {
  const bridge = (win as unknown as Record<string, unknown>)[BRIDGE_GLOBAL] as TroupeBridge | undefined;
  if (bridge) {
    const client = new ControlApiClient(bridge.request, { checks: schemaChecks, bytes: bridge.bytes, events: bridge.events });
    return { client, pathForFile: (file) => bridge.pathForFile(file), kind: 'desktop' };
  }
  const scheme = win.location.protocol === 'https:' ? 'wss' : 'ws';
  // Kept in this variable once read: a session taken from the fragment must survive a storage that refuses it.
  const session = browserSession(win);
  const auth: Record<string, string> = session ? { authorization: `Bearer ${session}` } : {};
  const client = new ControlApiClient(fetchJsonTransport(undefined, auth), {
    checks: schemaChecks,
    bytes: fetchBytesTransport(undefined, auth),
    events: reconnectingEvents(`${scheme}://${win.location.host}${EVENTS_PATH}`, {
      protocols: session ? [`${CONTROL_TOKEN_SUBPROTOCOL_PREFIX}${session}`] : [],
    }),
  });
  return { client, pathForFile: () => null, kind: 'browser' };
}
