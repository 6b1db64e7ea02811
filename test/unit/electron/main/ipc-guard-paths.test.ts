// Red-team: the IPC guard matches a route on the path's text, but the main process then fetches
// http://127.0.0.1:<port><path>, and a URL parser rewrites `\` to `/` and folds `..` and `%2e%2e`
// segments. A free-form parameter (an upload's file name, a member) could so carry a renderer's
// call to a route other than the one the guard checked.

import { describe, expect, it } from 'vitest';
import { checkBytesArgs, checkRequestArgs } from '../../../../electron/main/ipc-guard.js';

const UPLOAD = '/api/uploads/0123456789abcdef/';
const whereItGoes = (path: string): string => new URL(`http://127.0.0.1:1${path}`).pathname;

describe('IPC guard: the path the agent receives is the path the guard matched', () => {
  it('refuses an upload whose file name walks to another route with backslashes', () => {
    const path = `${UPLOAD}..\\..\\..\\api\\name`;
    expect(whereItGoes(path)).toBe('/api/name'); // what fetch would have asked the agent for
    expect(checkBytesArgs(['PUT', path, new TextEncoder().encode('{"name":"x"}')])).toMatchObject({ ok: false });
  });

  it('refuses dot segments, raw or percent-encoded, in any parameter', () => {
    for (const path of [`${UPLOAD}..`, `${UPLOAD}%2e%2e`, `${UPLOAD}.%2E`, `${UPLOAD}.`])
      expect(checkBytesArgs(['PUT', path, new Uint8Array(1)]), path).toMatchObject({ ok: false });
    for (const path of ['/api/team/members/..\\..\\login-links', '/api/team/members/..', '/api/team/members/%2e%2e'])
      expect(checkRequestArgs(['DELETE', path]), path).toMatchObject({ ok: false });
  });

  it('refuses a query or fragment smuggled into a parameter', () => {
    expect(checkRequestArgs(['DELETE', '/api/team/members/bob?x=1'])).toMatchObject({ ok: false });
    expect(checkRequestArgs(['DELETE', '/api/team/members/bob#x'])).toMatchObject({ ok: false });
    expect(checkBytesArgs(['PUT', `${UPLOAD}a b.glb`, new Uint8Array(1)])).toMatchObject({ ok: false });
  });

  it('still passes what the typed client sends (parameters percent-encoded)', () => {
    for (const name of ['scene.glb', 'my scene (2).gltf', 'Ünïcødé ✓.bin', "it's.png", 'a%b.glb'])
      expect(checkBytesArgs(['PUT', UPLOAD + encodeURIComponent(name), new Uint8Array(1)]), name).toMatchObject({ ok: true });
    for (const member of ['Bob', 'ÅSA', 'ABCD-1234', "o'neil"])
      expect(checkRequestArgs(['DELETE', `/api/team/members/${encodeURIComponent(member)}`]), member).toMatchObject({ ok: true });
    expect(checkBytesArgs(['GET', '/api/jobs/0123456789abcdef/tasks/0123456789abcdef%3Ab0/image'])).toMatchObject({ ok: true });
  });
});
