// The window's preload: puts the TroupeBridge on `window.troupe` and nothing else. The renderer's
// typed client runs over it; every call goes to the main process on a channel of the fixed list,
// where it is checked again (the preload is not the security boundary, ipc-guard is). Bundled to
// one CommonJS file: a sandboxed preload can require only `electron` and a few Node built-ins.

import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';
import { BRIDGE_GLOBAL, type TroupeBridge } from '../../shared/control-api/bridge.js';
import type { EventStreamState } from '../../shared/control-api/control-client.js';
import { INVOKE_CHANNELS, SEND_CHANNELS } from '../main/ipc-channels.js';

const STREAM_STATES: readonly EventStreamState[] = ['connecting', 'open', 'closed'];

const bridge: TroupeBridge = {
  request: (method, path, body) => ipcRenderer.invoke(INVOKE_CHANNELS.request, method, path, body),

  bytes: async (method, path, body) => {
    // IPC clones typed arrays, not Blobs: a Blob (a dropped File) is read here first.
    const bytes = body instanceof Uint8Array || body === null ? body : new Uint8Array(await body.arrayBuffer());
    return ipcRenderer.invoke(INVOKE_CHANNELS.bytes, method, path, bytes);
  },

  events: (message, state) => {
    // The renderer gets the text and the state, never Electron's event object (it reaches the sender).
    const onEvent = (_e: IpcRendererEvent, text: unknown): void => {
      if (typeof text === 'string') message(text);
    };
    const passState = (s: unknown): void => {
      if (STREAM_STATES.includes(s as EventStreamState)) state(s as EventStreamState);
    };
    const onState = (_e: IpcRendererEvent, s: unknown): void => passState(s);
    ipcRenderer.on(SEND_CHANNELS.event, onEvent);
    ipcRenderer.on(SEND_CHANNELS.eventStreamState, onState);
    // A listener that arrives after the stream opened still learns that it is open.
    void ipcRenderer
      .invoke(INVOKE_CHANNELS.eventStreamState)
      .then(passState)
      .catch(() => state('closed'));
    return () => {
      ipcRenderer.off(SEND_CHANNELS.event, onEvent);
      ipcRenderer.off(SEND_CHANNELS.eventStreamState, onState);
    };
  },

  pathForFile: (file) => {
    try {
      // Empty for a File made in the page rather than dropped from the disk.
      return webUtils.getPathForFile(file) || null;
    } catch {
      return null;
    }
  },
};

contextBridge.exposeInMainWorld(BRIDGE_GLOBAL, bridge);
