import { describe, expect, it } from 'vitest';
import { LogTail } from '../../../../../../electron/agent/engines/blender/log-tail.js';

describe('LogTail', () => {
  it('joins chunks into lines, keeps the last ones, and gives a task the lines since its mark', () => {
    const log = new LogTail(3);
    log.push('Fra:1 Mem');
    log.push(':10M\r\nSaved: a.png\nTi');
    expect(log.last()).toEqual(['Fra:1 Mem:10M', 'Saved: a.png']);
    const mark = log.mark();
    log.push('me: 00:00.20\nFra:2\nSaved: b.png\n');
    expect(log.since(mark)).toEqual(['Time: 00:00.20', 'Fra:2', 'Saved: b.png']);
    log.push('Fra:3\n');
    expect(log.last()).toEqual(['Fra:2', 'Saved: b.png', 'Fra:3']);
    expect(log.since(mark)).toEqual(['Fra:2', 'Saved: b.png', 'Fra:3']); // the oldest dropped
    log.push('Segmentation fault');
    log.flush();
    expect(log.last(1)).toEqual(['Segmentation fault']);
  });

  it('cuts a pathological line', () => {
    const log = new LogTail(2);
    log.push('x'.repeat(10_000));
    log.push('\n');
    expect(log.last()[0]!.length).toBeLessThan(2100);
  });
});
