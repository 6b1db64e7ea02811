import { describe, expect, it } from 'vitest';
import { DISK_MARGIN_MAX_BYTES, DiskRoom, formatBytes } from '../../../../../electron/agent/storage/disk-room.js';
import { TroupeError } from '../../../../../shared/errors.js';

const GB = 1e9;
/** A disk whose free space the test sets. */
function disk(freeBytes: number, totalBytes = 100 * GB) {
  const space = { freeBytes, totalBytes };
  return { space, room: new DiskRoom('/nowhere', async () => ({ ...space })) };
}

describe('DiskRoom', () => {
  it('keeps 5 % of the disk spare, never more than 1 GiB', async () => {
    expect((await disk(10 * GB, 100 * GB).room.now()).marginBytes).toBe(DISK_MARGIN_MAX_BYTES);
    expect((await disk(1e6, 64 * 2 ** 20).room.now()).marginBytes).toBe(Math.floor(64 * 2 ** 20 * 0.05));
  });

  it('sets bytes aside until they are written or given back, so two downloads cannot count the same room', async () => {
    const { room } = disk(5 * GB);
    const first = await room.reserve(3 * GB, { what: 'Blob a' });
    expect((await room.now()).availableBytes).toBe(5 * GB - DISK_MARGIN_MAX_BYTES - 3 * GB);
    await expect(room.reserve(2 * GB, { what: 'Blob b' })).rejects.toThrow(/Blob b needs 2\.0 GB, this machine has 5\.0 GB free \(it keeps 1\.1 GB spare\)/);
    first.wrote(GB);
    first.wrote(GB);
    expect((await room.now()).availableBytes).toBe(5 * GB - DISK_MARGIN_MAX_BYTES - GB);
    first.release();
    first.release(); // twice is harmless
    expect((await room.now()).availableBytes).toBe(5 * GB - DISK_MARGIN_MAX_BYTES);
  });

  it('tries to make room once before refusing, and says what is needed and what is free', async () => {
    const { room, space } = disk(3 * GB);
    let tries = 0;
    const grown = await room.reserve(4 * GB, { what: 'Task t', makeRoom: async () => void (tries++, (space.freeBytes = 6 * GB)) });
    expect(tries).toBe(1);
    grown.release();
    const err = await room.reserve(12 * GB, { what: 'Task t', purpose: 'for its inputs', makeRoom: async () => void tries++ }).catch((e: unknown) => e);
    expect(tries).toBe(2);
    expect(err).toBeInstanceOf(TroupeError);
    expect((err as Error).message).toMatch(/^Task t needs 12\.0 GB for its inputs, this machine has 6\.0 GB free \(it keeps 1\.1 GB spare\)\. Free some disk space there/);
  });
});

describe('formatBytes', () => {
  it('uses decimal units as file managers do', () => {
    expect([0, 999, 12_000, 800e6, 3.4e9, 12.9e9, 10 * 2 ** 30, 150e9, 9e15].map(formatBytes)).toEqual([
      '0 bytes',
      '999 bytes',
      '12.0 KB',
      '800 MB',
      '3.4 GB',
      '12.9 GB',
      '10.7 GB',
      '150 GB',
      '9000 TB',
    ]);
  });
});
