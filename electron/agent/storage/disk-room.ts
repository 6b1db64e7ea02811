// Owns how much a teammate's bytes may take of this machine's disk: free space less a spare
// margin, less what downloads in flight have yet to write. Every fetch sets its bytes aside here
// before the first one arrives, so two fetches cannot both count the same free gigabytes.

import { statfs } from 'node:fs/promises';
import { TroupeError } from '../../../shared/errors.js';

/** Fetches leave this share of the disk free, so the owner's own programs still find room... */
export const DISK_MARGIN_SHARE = 0.05;
/** ...but never more than this: 5 % of a large disk is more than any program needs to go on. */
export const DISK_MARGIN_MAX_BYTES = 2 ** 30;

export interface DiskSpace {
  freeBytes: number;
  totalBytes: number;
}

export interface RoomNow {
  /** What a new download may still write. */
  availableBytes: number;
  /** Free on the disk now (what the owner's file manager would say). */
  freeBytes: number;
  marginBytes: number;
}

async function statfsSpace(dir: string): Promise<DiskSpace> {
  const s = await statfs(dir);
  // bavail, not bfree: blocks reserved for root are not ours to fill.
  return { freeBytes: s.bavail * s.bsize, totalBytes: s.blocks * s.bsize };
}

export class DiskRoom {
  private reservedBytes = 0;

  constructor(
    private readonly dir: string,
    private readonly space: (dir: string) => Promise<DiskSpace> = statfsSpace,
  ) {}

  async now(): Promise<RoomNow> {
    const { freeBytes, totalBytes } = await this.space(this.dir);
    const marginBytes = Math.min(DISK_MARGIN_MAX_BYTES, Math.floor(totalBytes * DISK_MARGIN_SHARE));
    return { availableBytes: Math.max(0, freeBytes - marginBytes - this.reservedBytes), freeBytes, marginBytes };
  }

  /**
   * Sets `bytes` aside for a download, or throws in words the owner can act on ("<what> needs 12 GB
   * <purpose>, …"). `makeRoom` is tried once when they do not fit (stale partial files, least
   * recently used cache entries).
   */
  async reserve(bytes: number, why: { what: string; purpose?: string; makeRoom?: () => Promise<void> }): Promise<Reservation> {
    let room = await this.now();
    if (bytes > room.availableBytes && why.makeRoom) {
      await why.makeRoom();
      room = await this.now();
    }
    if (bytes > room.availableBytes) throw noRoom(why.what, bytes, room, why.purpose);
    this.reservedBytes += bytes;
    return new Reservation(bytes, (n) => (this.reservedBytes -= n));
  }
}

/** Bytes set aside for one download; each written byte stops being reserved (the disk shows it now). */
export class Reservation {
  constructor(
    private remaining: number,
    private readonly give: (bytes: number) => void,
  ) {}

  wrote(bytes: number): void {
    const n = Math.min(bytes, this.remaining);
    this.remaining -= n;
    this.give(n);
  }

  release(): void {
    this.wrote(this.remaining);
  }
}

/** "Task x needs 12 GB for inputs, this machine has 3.0 GB free (it keeps 1.0 GB spare)…" */
export function noRoom(what: string, bytes: number, room: RoomNow, purpose = ''): TroupeError {
  const spare = room.marginBytes > 0 ? ` (it keeps ${formatBytes(room.marginBytes)} spare)` : '';
  return new TroupeError(
    'bad-request',
    `${what} needs ${formatBytes(bytes)}${purpose && ` ${purpose}`}, this machine has ${formatBytes(room.freeBytes)} free${spare}. ` +
      'Free some disk space there, or leave the task to a teammate with more room.',
  );
}

/** 12.9 GB, 3.4 GB, 800 MB, 12.0 KB: decimal units, as file managers show sizes. */
export function formatBytes(bytes: number): string {
  const units: [number, string][] = [
    [1e12, 'TB'],
    [1e9, 'GB'],
    [1e6, 'MB'],
    [1e3, 'KB'],
  ];
  for (const [size, unit] of units) {
    if (bytes >= size) {
      const v = bytes / size;
      return `${v < 100 ? v.toFixed(1) : Math.round(v)} ${unit}`;
    }
  }
  return `${bytes} bytes`;
}
