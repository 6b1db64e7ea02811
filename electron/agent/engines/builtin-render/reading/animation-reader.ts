// Owns reading a glTF animation's node TRS channels into plain key arrays. Cubic splines keep
// only their value keys (tangents dropped) and say so in a warning.

import type { Animation, Node } from '@gltf-transform/core';
import { readFloats } from '../../gltf/accessor-read.js';
import type { AnimationChannelModel, SceneModel } from './scene-model.js';

export function readAnimation(animation: Animation | undefined, nodeIndex: Map<Node, number>, warnings: string[]): SceneModel['animation'] {
  if (!animation) return null;
  const channels: AnimationChannelModel[] = [];
  let durationSec = 0;
  let warnedCubic = false;
  for (const channel of animation.listChannels()) {
    const node = channel.getTargetNode();
    const path = channel.getTargetPath();
    const sampler = channel.getSampler();
    const input = sampler?.getInput();
    const output = sampler?.getOutput();
    if (!node || !sampler || !input || !output) continue;
    if (path !== 'translation' && path !== 'rotation' && path !== 'scale') {
      if (path === 'weights') warnings.push('morph target weight animation is ignored');
      continue;
    }
    const size = path === 'rotation' ? 4 : 3;
    const times = readFloats(input, 1);
    let values = readFloats(output, size);
    if (sampler.getInterpolation() === 'CUBICSPLINE') {
      if (!warnedCubic) warnings.push('CUBICSPLINE animation is played as linear between its keys');
      warnedCubic = true;
      // Each key is [in-tangent, value, out-tangent]; keep the value.
      const kept = new Float32Array(times.length * size);
      for (let k = 0; k < times.length; k++) kept.set(values.subarray((k * 3 + 1) * size, (k * 3 + 2) * size), k * size);
      values = kept;
    }
    const keys = Math.min(times.length, Math.floor(values.length / size));
    if (keys === 0) continue;
    durationSec = Math.max(durationSec, times[keys - 1]!);
    channels.push({
      node: nodeIndex.get(node)!,
      path,
      step: sampler.getInterpolation() === 'STEP',
      times: times.slice(0, keys),
      values: values.slice(0, keys * size),
    });
  }
  return channels.length > 0 ? { channels, durationSec } : null;
}
