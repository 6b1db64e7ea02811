// Owns the headers every app:// response carries. The policy is strict because the renderer
// holds a bridge to an agent that can pair machines and run jobs: no inline or remote script,
// no eval, no network (the renderer talks to the agent only over IPC), no frames, no plugins.

/** Directive by directive; a test pins the strict parts. */
export const CSP_DIRECTIVES: Readonly<Record<string, string>> = {
  'default-src': "'none'",
  'script-src': "'self'",
  // React sets styles through the CSSOM, which style-src does not govern; stylesheets are Vite's files.
  'style-src': "'self'",
  // Task images arrive as bytes over IPC and are shown as blob: URLs.
  'img-src': "'self' blob: data:",
  'font-src': "'self'",
  'connect-src': "'self'",
  'worker-src': "'self' blob:",
  'manifest-src': "'self'",
  'object-src': "'none'",
  'frame-src': "'none'",
  'child-src': "'none'",
  'base-uri': "'none'",
  'form-action': "'none'",
  'frame-ancestors': "'none'",
};

export const CONTENT_SECURITY_POLICY = Object.entries(CSP_DIRECTIVES)
  .map(([name, value]) => `${name} ${value}`)
  .join('; ');

/** Headers for one served file. */
export function appResponseHeaders(contentType: string): Record<string, string> {
  return {
    'content-type': contentType,
    'content-security-policy': CONTENT_SECURITY_POLICY,
    'x-content-type-options': 'nosniff',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
    'referrer-policy': 'no-referrer',
    // Files change with each build; a stale cached script against a new main process is a bug.
    'cache-control': 'no-store',
  };
}
