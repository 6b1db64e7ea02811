// Owns the browser UI's sign-in: the agent answers its one-time login link (`/login?code=…`) with
// this page and the session secret in a `<meta name="troupe-session">` (never in a URL, so never
// in the browser's history). It is moved at once into this origin's storage, the element removed
// and the address set to `/`, and sent as a bearer token. Nothing else can set it: no fragment or
// query is read, so another page cannot sign this one out by linking here with a session of its
// own. Storage is scoped by origin, port included, so no other local server ever sees it; a cookie
// would be (browsers share cookies across the ports of one host).

const STORAGE_KEY = 'troupe.session';
const META = 'troupe-session';
const SECRET = /^[A-Za-z0-9_-]{20,100}$/;

/** Takes a session handed over by a login answer if this is one; returns the current session, or null. */
export function browserSession(win: Window = window): string | null {
  const meta = win.document.querySelector<HTMLMetaElement>(`meta[name="${META}"]`);
  const handed = meta && win.location.pathname === '/login' ? meta.content : null;
  meta?.remove();
  if (handed && SECRET.test(handed)) {
    try {
      win.localStorage.setItem(STORAGE_KEY, handed);
    } catch {
      /* storage refused (private mode): the session lives for this page only */
    }
    win.history.replaceState(null, '', '/'); // the spent link goes too
    return handed;
  }
  try {
    return win.localStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}
