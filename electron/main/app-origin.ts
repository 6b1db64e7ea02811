// Owns the one origin the app's pages come from. Everything the renderer loads is served under
// app://troupe by our protocol handler; IPC and navigation checks compare against this origin,
// so a page from anywhere else (a link, an injected frame) is a foreign sender.

export const APP_SCHEME = 'app';
export const APP_HOST = 'troupe';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

/** True when `url` is a page of ours (same scheme and host; any path). */
export function isAppUrl(url: string | undefined | null): boolean {
  if (!url) return false;
  try {
    const u = new URL(url);
    // A standard scheme normalises the host; user info or a port would be someone else's URL.
    return u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST && u.username === '' && u.password === '';
  } catch {
    return false;
  }
}
