// What Blender tests on a team share: where Debian's Blender is, one Blender rendering frames of a
// file alone (what a team's frames must equal), and a PNG's pixels.

import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { BlenderSession } from '../../../electron/agent/engines/blender/blender-session.js';
import { decodePng } from '../../../electron/agent/engines/builtin-render/reading/png-decode.js';
import { ENGINE_PATIENCE_MS } from './testbed.js';

const run = promisify(execFile);

export const BLENDER = '/usr/bin/blender';
export const HAVE_BLENDER = existsSync(BLENDER);

export const pixels = (path: string): Buffer => Buffer.from(decodePng(readFileSync(path), path).rgba);

/** One Blender alone renders these frames of the file: what the team's frames must equal. */
export async function renderAlone(file: string, frames: number[], out: string, ditherIntensity?: number): Promise<Map<number, string>> {
  const { session } = await BlenderSession.start({ blenderPath: BLENDER, blendFile: file, threads: 1 });
  try {
    const done = await session.run('render_frames', { frames, output: join(out, 'frame_####'), ...(ditherIntensity === undefined ? {} : { ditherIntensity }) });
    return new Map(done.result.frames.map((f) => [f.frame, f.path]));
  } finally {
    await session.quit();
  }
}

const CHANNEL_ORDERS = ['RGBA', 'RGB', 'XYZW', 'XYZ', 'XY', 'UV', 'Z', 'V', 'A', 'X'];

/** A multilayer OpenEXR file's passes as "<layer>.<pass>.<channel ids>", read from its header alone. */
export function readExrPasses(path: string): string[] {
  const data = readFileSync(path);
  if (data.readUInt32LE(0) !== 0x01312f76) throw new Error(`${path} is not an OpenEXR file`);
  const text = (from: number): [string, number] => {
    const end = data.indexOf(0, from);
    return [data.toString('utf8', from, end), end + 1];
  };
  let pos = 8;
  while (data[pos] !== 0) {
    const [name, afterName] = text(pos);
    const [kind, afterKind] = text(afterName);
    const size = data.readInt32LE(afterKind);
    pos = afterKind + 4;
    if (name === 'channels' && kind === 'chlist') {
      const grouped = new Map<string, Set<string>>();
      for (let p = pos; data[p] !== 0; ) {
        const [channel, after] = text(p);
        p = after + 16;
        const parts = channel.split('.');
        if (parts.length < 3) continue;
        const key = parts.slice(0, -1).join('.');
        grouped.set(key, (grouped.get(key) ?? new Set()).add(parts.at(-1)!));
      }
      return [...grouped].map(([key, letters]) => {
        const ids = CHANNEL_ORDERS.find((o) => o.length === letters.size && [...o].every((c) => letters.has(c))) ?? [...letters].sort().join('');
        return `${key}.${ids}`;
      });
    }
    pos += size;
  }
  throw new Error(`${path} has no channel list`);
}

/** The largest difference per "<layer>.<pass>" (Combined, Depth, Normal) of two multilayer OpenEXR files of `blendFile`'s frame, read by Blender. */
export async function passDifferences(blendFile: string, a: string, b: string, width: number, height: number): Promise<Record<string, number | null>> {
  const { stdout } = await run(
    BLENDER,
    ['-b', '--factory-startup', '-noaudio', blendFile, '--python', join(import.meta.dirname, 'exr_passes.py'), '--', a, b, String(width), String(height)],
    { timeout: ENGINE_PATIENCE_MS },
  );
  const line = stdout.split('\n').find((l) => l.startsWith('TROUPE-PASSES '));
  if (!line) throw new Error(`exr_passes.py printed no answer:\n${stdout.slice(-2000)}`);
  return JSON.parse(line.slice('TROUPE-PASSES '.length)) as Record<string, number | null>;
}
