// What Blender tests on a team share: where Debian's Blender is, one Blender rendering frames of a
// file alone (what a team's frames must equal), and a PNG's pixels.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BlenderSession } from '../../../electron/agent/engines/blender/blender-session.js';
import { decodePng } from '../../../electron/agent/engines/builtin-render/png-decode.js';

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
