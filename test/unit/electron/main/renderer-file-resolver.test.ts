import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY, CSP_DIRECTIVES, appResponseHeaders } from '../../../../electron/main/content-security-policy.js';
import { resolveRendererFile } from '../../../../electron/main/renderer-file-resolver.js';

let dir: string;
let root: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'troupe-renderer-'));
  root = join(dir, 'renderer');
  await mkdir(join(root, 'assets'), { recursive: true });
  await writeFile(join(root, 'index.html'), '<!doctype html><title>Troupe</title>');
  await writeFile(join(root, 'assets', 'app-1a2b.js'), 'console.log(1)');
  await writeFile(join(root, 'assets', 'app.css'), 'body{}');
  await writeFile(join(dir, 'secret.txt'), 'outside');
  await writeFile(join(dir, 'renderer-evil.txt'), 'sibling with the root as prefix');
  await symlink(join(dir, 'secret.txt'), join(root, 'assets', 'link.txt'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('renderer files on app://', () => {
  it('serves index.html for the root and files with their types', async () => {
    expect(await resolveRendererFile(root, 'app://troupe/')).toMatchObject({ ok: true, contentType: 'text/html; charset=utf-8' });
    expect(await resolveRendererFile(root, 'app://troupe/index.html')).toMatchObject({ ok: true, path: expect.stringMatching(/index\.html$/) });
    expect(await resolveRendererFile(root, 'app://troupe/assets/app-1a2b.js')).toMatchObject({ ok: true, contentType: 'text/javascript; charset=utf-8' });
    expect(await resolveRendererFile(root, 'app://troupe/assets/app.css?v=1#x')).toMatchObject({ ok: true, contentType: 'text/css; charset=utf-8' });
  });

  it('refuses every way out of the folder', async () => {
    const attempts = [
      'app://troupe/../secret.txt',
      'app://troupe/%2e%2e/secret.txt',
      'app://troupe/assets/%2e%2e/%2e%2e/secret.txt',
      'app://troupe/..%2fsecret.txt',
      'app://troupe/..%5csecret.txt',
      'app://troupe/assets%5c..%5c..%5csecret.txt',
      'app://troupe/%00index.html',
      'app://troupe/../renderer-evil.txt',
      'app://troupe/assets/link.txt',
      `app://troupe/${encodeURIComponent(join(dir, 'secret.txt'))}`,
    ];
    for (const url of attempts) {
      const answer = await resolveRendererFile(root, url);
      expect(answer.ok, url).toBe(false);
    }
  });

  it('answers 404 for missing files and folders, 403 for other hosts, 400 for bad encoding', async () => {
    expect(await resolveRendererFile(root, 'app://troupe/missing.js')).toEqual({ ok: false, status: 404 });
    expect(await resolveRendererFile(root, 'app://troupe/assets')).toEqual({ ok: false, status: 404 });
    expect(await resolveRendererFile(root, 'app://other/index.html')).toEqual({ ok: false, status: 403 });
    expect(await resolveRendererFile(root, 'app://troupe/%E0%A4%A')).toEqual({ ok: false, status: 400 });
  });
});

describe('Content-Security-Policy', () => {
  it('allows no inline or remote script, no eval, no frames or plugins', () => {
    expect(CSP_DIRECTIVES['default-src']).toBe("'none'");
    expect(CSP_DIRECTIVES['script-src']).toBe("'self'");
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-inline|unsafe-eval|\*|https?:/);
    for (const d of ['object-src', 'frame-src', 'base-uri', 'form-action', 'frame-ancestors']) expect(CSP_DIRECTIVES[d]).toBe("'none'");
  });

  it('is on every answer with nosniff', () => {
    const headers = appResponseHeaders('text/html');
    expect(headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    expect(headers['x-content-type-options']).toBe('nosniff');
  });
});
