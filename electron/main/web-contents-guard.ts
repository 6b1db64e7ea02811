// Owns what every web page of the app may not do, applied to each webContents as it is created
// (the window's, and any Electron makes later): navigate away from app://, open windows, attach
// <webview>s, or be granted a permission other than permission-policy's one.

import type { App, Session } from 'electron';
import { isAppUrl } from './app-origin.js';
import { permissionAllowed } from './permission-policy.js';

export function guardWebContents(app: App, log: (line: string) => void): void {
  app.on('web-contents-created', (_event, contents) => {
    const refuseNavigation = (event: Electron.Event, url: string): void => {
      if (isAppUrl(url)) return;
      event.preventDefault();
      log(`refused navigation to ${url.slice(0, 200)}`);
    };
    contents.on('will-navigate', refuseNavigation);
    contents.on('will-redirect', refuseNavigation);
    contents.on('will-frame-navigate', (details) => {
      if (!isAppUrl(details.url)) details.preventDefault();
    });
    contents.setWindowOpenHandler(({ url }) => {
      log(`refused a new window for ${url.slice(0, 200)}`);
      return { action: 'deny' };
    });
    contents.on('will-attach-webview', (event) => event.preventDefault());
  });
}

export function denyPermissions(session: Session): void {
  session.setPermissionRequestHandler((contents, permission, callback, details) =>
    callback(permissionAllowed(permission, details.requestingUrl ?? contents.getURL())),
  );
  session.setPermissionCheckHandler((_contents, permission, requestingOrigin) => permissionAllowed(permission, requestingOrigin));
  session.setDevicePermissionHandler(() => false);
  // No display-media handler is set: without one, Electron refuses screen capture.
}
