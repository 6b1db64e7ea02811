// Owns evaluating the first animation at one moment: a node's TRS with each animated channel
// interpolated (LINEAR, slerp for rotations, or STEP). Times outside the keys hold the end pose.

import type { AnimationChannelModel, NodeModel, Quat, SceneModel, Vec3 } from './scene-model.js';

export interface NodePose {
  translation: Vec3;
  rotation: Quat;
  scale: Vec3;
}

/** Frame N is at N / fps seconds. */
export function poseNodes(scene: SceneModel, timeSec: number): NodePose[] {
  const poses = scene.nodes.map((n: NodeModel) => ({
    translation: [...n.translation] as Vec3,
    rotation: [...n.rotation] as Quat,
    scale: [...n.scale] as Vec3,
  }));
  for (const channel of scene.animation?.channels ?? []) {
    const pose = poses[channel.node];
    if (pose) sampleChannel(channel, timeSec, pose[channel.path]);
  }
  return poses;
}

/** Number of frames of the first animation at `fps` (frames 0..N-1 cover 0..duration). */
export function animationFrameCount(scene: SceneModel, fps: number): number | null {
  if (!scene.animation) return null;
  return Math.floor(scene.animation.durationSec * fps + 1e-6) + 1;
}

function sampleChannel(channel: AnimationChannelModel, t: number, out: number[]): void {
  const { times, values } = channel;
  const size = out.length;
  const last = times.length - 1;
  let k = 0;
  if (t >= times[last]!) k = last;
  else while (k < last && times[k + 1]! <= t) k++;
  const t0 = times[k]!;
  const t1 = times[Math.min(k + 1, last)]!;
  const a = k * size;
  if (channel.step || k === last || t <= t0 || t1 <= t0) {
    for (let c = 0; c < size; c++) out[c] = values[a + c]!;
    return;
  }
  const s = (t - t0) / (t1 - t0);
  const b = a + size;
  if (size === 4) {
    slerp(values, a, b, s, out);
    return;
  }
  for (let c = 0; c < size; c++) out[c] = values[a + c]! * (1 - s) + values[b + c]! * s;
}

function slerp(v: Float32Array, a: number, b: number, s: number, out: number[]): void {
  let bx = v[b]!;
  let by = v[b + 1]!;
  let bz = v[b + 2]!;
  let bw = v[b + 3]!;
  const ax = v[a]!;
  const ay = v[a + 1]!;
  const az = v[a + 2]!;
  const aw = v[a + 3]!;
  let cos = ax * bx + ay * by + az * bz + aw * bw;
  if (cos < 0) {
    // q and -q are the same rotation; take the short way round.
    cos = -cos;
    bx = -bx;
    by = -by;
    bz = -bz;
    bw = -bw;
  }
  let wa = 1 - s;
  let wb = s;
  if (cos < 0.9995) {
    const theta = Math.acos(Math.min(1, cos));
    const sin = Math.sin(theta);
    wa = Math.sin((1 - s) * theta) / sin;
    wb = Math.sin(s * theta) / sin;
  }
  const x = ax * wa + bx * wb;
  const y = ay * wa + by * wb;
  const z = az * wa + bz * wb;
  const w = aw * wa + bw * wb;
  const len = Math.hypot(x, y, z, w) || 1;
  out[0] = x / len;
  out[1] = y / len;
  out[2] = z / len;
  out[3] = w / len;
}
