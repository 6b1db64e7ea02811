// Owns the browser UI's sign-in: the agent's one-time login link redirects to `/#session=<secret>`;
// the secret is moved at once from the address bar (and history) into this origin's storage, and
// sent as a bearer token. Storage is scoped by origin, port included, so no other local server
// ever sees it; a cookie would be (browsers share cookies across the ports of one host).

const STORAGE_KEY = 'troupe.session';
const FRAGMENT = /^#session=([A-Za-z0-9_-]{20,100})$/;

/** Takes a session from the URL's fragment if one is there; returns the current session, or null. */
export function browserSession(win: Window = window): string | null {
  const match = FRAGMENT.exec(win.location.hash);
  if (match) {
    try {
      win.localStorage.setItem(STORAGE_KEY, match[1]!);
    } catch {
      /* storage refused (private mode): the session lives for this page only */
    }
    win.history.replaceState(null, '', win.location.pathname + win.location.search);
    return match[1]!;
  }
  try {
    return win.localStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}
