import { describe, expect, it } from 'vitest';
import { isAppUrl } from '../../../../electron/main/app-origin.js';
import {
  checkBytesArgs,
  checkRequestArgs,
  checkSender,
  MAX_IPC_JSON_BYTES,
  MAX_IPC_UPLOAD_BYTES,
} from '../../../../electron/main/ipc-guard.js';

const JOB = '0123456789abcdef';

describe('app origin', () => {
  it('is app://troupe with any path, and nothing else', () => {
    expect(isAppUrl('app://troupe/index.html')).toBe(true);
    expect(isAppUrl('app://troupe/')).toBe(true);
    for (const url of ['app://evil/index.html', 'https://troupe/', 'file:///index.html', 'app://x@troupe/', 'app://troupe:81/', 'not a url', '', null, undefined])
      expect(isAppUrl(url)).toBe(false);
  });
});

describe('IPC sender check', () => {
  it('accepts the top frame of an app:// page', () => {
    expect(checkSender({ url: 'app://troupe/index.html', top: true }).ok).toBe(true);
  });

  it('refuses a foreign page, a subframe and a gone frame', () => {
    expect(checkSender({ url: 'https://example.com/', top: true })).toMatchObject({ ok: false });
    expect(checkSender({ url: 'file:///etc/passwd', top: true })).toMatchObject({ ok: false });
    expect(checkSender({ url: 'app://troupe/index.html', top: false })).toMatchObject({ ok: false, reason: /top frame/ });
    expect(checkSender(null)).toMatchObject({ ok: false, reason: /gone/ });
  });
});

describe('IPC request arguments', () => {
  it('passes a route of the table with its body', () => {
    expect(checkRequestArgs(['GET', '/api/status'])).toEqual({ ok: true, value: { method: 'GET', path: '/api/status', body: undefined } });
    const put = checkRequestArgs(['PUT', '/api/sharing', { mode: 'idle' }]);
    expect(put).toEqual({ ok: true, value: { method: 'PUT', path: '/api/sharing', body: { mode: 'idle' } } });
    expect(checkRequestArgs(['POST', `/api/jobs/${JOB}/pause`, undefined]).ok).toBe(true);
  });

  it('refuses paths and methods outside the route table', () => {
    expect(checkRequestArgs(['GET', '/api/nope'])).toMatchObject({ ok: false, reason: /no route/ });
    expect(checkRequestArgs(['DELETE', '/api/status'])).toMatchObject({ ok: false, reason: /not a method/ });
    expect(checkRequestArgs(['PATCH', '/api/status'])).toMatchObject({ ok: false, reason: /method/ });
    expect(checkRequestArgs(['GET', '/etc/passwd'])).toMatchObject({ ok: false });
    expect(checkRequestArgs(['GET', '/api/status?x=1'])).toMatchObject({ ok: false });
    expect(checkRequestArgs(['GET', `/api/jobs/${JOB}/../../status`])).toMatchObject({ ok: false });
    expect(checkRequestArgs([42, '/api/status'])).toMatchObject({ ok: false });
    expect(checkRequestArgs(['GET', { toString: () => '/api/status' }])).toMatchObject({ ok: false });
    expect(checkRequestArgs(['GET', '/api/' + 'a'.repeat(5000)])).toMatchObject({ ok: false });
    expect(checkRequestArgs(['GET', '/api/status', undefined, 'extra'])).toMatchObject({ ok: false });
  });

  it('keeps login links from the window', () => {
    expect(checkRequestArgs(['POST', '/api/login-links'])).toMatchObject({ ok: false, reason: /may not call loginLink/ });
  });

  it('refuses a body where the route takes none, an oversized body, and non-JSON', () => {
    expect(checkRequestArgs(['GET', '/api/status', { a: 1 }])).toMatchObject({ ok: false, reason: /takes no body/ });
    const big = { name: 'x'.repeat(MAX_IPC_JSON_BYTES) };
    expect(checkRequestArgs(['PUT', '/api/name', big])).toMatchObject({ ok: false, reason: /over/ });
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(checkRequestArgs(['PUT', '/api/name', cyclic])).toMatchObject({ ok: false, reason: /JSON/ });
    expect(checkRequestArgs(['PUT', '/api/name', () => 1])).toMatchObject({ ok: false, reason: /JSON/ });
  });

  it('passes the body on as plain JSON', () => {
    const checked = checkRequestArgs(['PUT', '/api/name', { name: 'studio', when: new Date(0) }]);
    expect(checked).toEqual({ ok: true, value: { method: 'PUT', path: '/api/name', body: { name: 'studio', when: '1970-01-01T00:00:00.000Z' } } });
  });
});

describe('IPC bytes arguments', () => {
  const image = `/api/jobs/${JOB}/tasks/${JOB}%3Aframe-1/image`;
  const upload = `/api/uploads/${JOB}/scene.glb`;

  it('passes a task image read and an upload with bytes', () => {
    expect(checkBytesArgs(['GET', image, null])).toEqual({ ok: true, value: { method: 'GET', path: image, body: null } });
    const checked = checkBytesArgs(['PUT', upload, new Uint8Array([1, 2, 3])]);
    expect(checked.ok && checked.value.body).toEqual(new Uint8Array([1, 2, 3]));
    const fromBuffer = checkBytesArgs(['PUT', upload, new Uint8Array([4]).buffer]);
    expect(fromBuffer.ok && fromBuffer.value.body).toEqual(new Uint8Array([4]));
  });

  it('refuses JSON routes, bodies where none belong, missing or non-byte bodies and oversized uploads', () => {
    expect(checkBytesArgs(['GET', '/api/status', null])).toMatchObject({ ok: false, reason: /no byte route/ });
    expect(checkBytesArgs(['GET', image, new Uint8Array(1)])).toMatchObject({ ok: false, reason: /takes no body/ });
    expect(checkBytesArgs(['PUT', upload, null])).toMatchObject({ ok: false, reason: /needs/ });
    expect(checkBytesArgs(['PUT', upload, 'text'])).toMatchObject({ ok: false, reason: /bytes/ });
    expect(checkBytesArgs(['PUT', upload, [1, 2, 3]])).toMatchObject({ ok: false, reason: /bytes/ });
    const huge = { byteLength: MAX_IPC_UPLOAD_BYTES + 1 };
    Object.setPrototypeOf(huge, Uint8Array.prototype);
    expect(checkBytesArgs(['PUT', upload, huge])).toMatchObject({ ok: false, reason: /path/ });
    expect(checkBytesArgs(['PUT', '/api/uploads/zz/scene.glb', new Uint8Array(1)])).toMatchObject({ ok: false });
  });
});
