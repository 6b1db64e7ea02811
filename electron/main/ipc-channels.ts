// Owns the names of the IPC channels between the preload and the main process: a fixed list, so
// the main process handles these and nothing else. Imported by both sides (the preload's bundle
// inlines it).

/** Renderer -> main, answered (ipcRenderer.invoke / ipcMain.handle). */
export const INVOKE_CHANNELS = {
  /** A JSON call of the control API: (method, path, body). */
  request: 'troupe:request',
  /** A bytes call of the control API (task image, upload): (method, path, bytes | null). */
  bytes: 'troupe:bytes',
  /** The event stream's state now, for a listener that subscribes after it changed. */
  eventStreamState: 'troupe:event-stream-state',
} as const;

/** Main -> renderer (webContents.send). */
export const SEND_CHANNELS = {
  /** One control-API event, as the agent's JSON text. */
  event: 'troupe:event',
  /** The event stream's state changed (connecting | open | closed). */
  eventStreamState: 'troupe:event-stream-state-changed',
} as const;

export type InvokeChannel = (typeof INVOKE_CHANNELS)[keyof typeof INVOKE_CHANNELS];
