import { describe, expect, it } from 'vitest';
import { parseRange } from '../../../../../electron/agent/transport/blob-route.js';

describe('parseRange', () => {
  it('is null without a Range header (whole blob)', () => {
    expect(parseRange(undefined, 100)).toBeNull();
    expect(parseRange('', 100)).toBeNull();
  });

  it('reads bytes=a-b, inclusive', () => {
    expect(parseRange('bytes=0-9', 100)).toEqual({ start: 0, end: 9 });
    expect(parseRange('bytes=10-10', 100)).toEqual({ start: 10, end: 10 });
    expect(parseRange(' bytes=0-99 ', 100)).toEqual({ start: 0, end: 99 });
  });

  it('clamps an end past the blob to its last byte', () => {
    expect(parseRange('bytes=50-1000', 100)).toEqual({ start: 50, end: 99 });
  });

  it('reads bytes=a- as "from a to the end" (resuming a transfer)', () => {
    expect(parseRange('bytes=40-', 100)).toEqual({ start: 40, end: 99 });
    expect(parseRange('bytes=99-', 100)).toEqual({ start: 99, end: 99 });
  });

  it('reads bytes=-n as the last n bytes', () => {
    expect(parseRange('bytes=-10', 100)).toEqual({ start: 90, end: 99 });
    expect(parseRange('bytes=-500', 100)).toEqual({ start: 0, end: 99 });
  });

  it('calls unsatisfiable ranges invalid (416)', () => {
    expect(parseRange('bytes=100-', 100)).toBe('invalid');
    expect(parseRange('bytes=100-200', 100)).toBe('invalid');
    expect(parseRange('bytes=-0', 100)).toBe('invalid');
    expect(parseRange('bytes=-', 100)).toBe('invalid');
    expect(parseRange('bytes=20-10', 100)).toBeNull(); // malformed range: serve the whole blob (RFC 9110)
    expect(parseRange('bytes=0-', 0)).toBe('invalid');
    expect(parseRange('bytes=-5', 0)).toBe('invalid');
  });

  it('ignores headers it does not understand (whole blob)', () => {
    expect(parseRange('bytes=abc', 100)).toBeNull();
    expect(parseRange('items=0-9', 100)).toBeNull();
    expect(parseRange('bytes 0-9', 100)).toBeNull();
    expect(parseRange('bytes=1.5-9', 100)).toBeNull();
    expect(parseRange('bytes=-1-2', 100)).toBeNull();
  });

  it('answers multi-range requests with the whole blob', () => {
    expect(parseRange('bytes=0-9,20-29', 100)).toBeNull();
    expect(parseRange('bytes=0-9, 20-', 100)).toBeNull();
  });
});
