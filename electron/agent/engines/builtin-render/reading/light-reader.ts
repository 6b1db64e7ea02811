// Owns KHR_lights_punctual: the reader library has no class for it, so lights and the nodes that
// carry them come straight from the raw JSON (node indices are glTF indices, as everywhere).

import type { GLTF } from '@gltf-transform/core';
import { BadSceneError } from '../../gltf/scene-errors.js';
import type { LightModel } from './scene-model.js';

interface RawLight {
  type?: unknown;
  color?: unknown;
  intensity?: unknown;
  range?: unknown;
  spot?: { innerConeAngle?: unknown; outerConeAngle?: unknown };
}

const num = (v: unknown, fallback: number): number => (typeof v === 'number' && Number.isFinite(v) ? v : fallback);

export function readLights(json: GLTF.IGLTF, fileName: string): { lights: LightModel[]; nodeLights: Map<number, number> } {
  const raw = (json.extensions?.KHR_lights_punctual as { lights?: RawLight[] } | undefined)?.lights ?? [];
  const lights = raw.map((l, i): LightModel => {
    if (l.type !== 'point' && l.type !== 'spot' && l.type !== 'directional') {
      throw new BadSceneError(`${fileName}: light ${i} has unknown type ${String(l.type)}`);
    }
    const c = Array.isArray(l.color) ? l.color : [1, 1, 1];
    const range = num(l.range, Infinity);
    return {
      type: l.type,
      color: [num(c[0], 1), num(c[1], 1), num(c[2], 1)],
      intensity: Math.max(0, num(l.intensity, 1)),
      range: range > 0 ? range : Infinity,
      innerConeAngle: num(l.spot?.innerConeAngle, 0),
      outerConeAngle: num(l.spot?.outerConeAngle, Math.PI / 4),
    };
  });
  const nodeLights = new Map<number, number>();
  (json.nodes ?? []).forEach((node, i) => {
    const light = (node.extensions?.KHR_lights_punctual as { light?: unknown } | undefined)?.light;
    if (light === undefined) return;
    if (typeof light !== 'number' || !lights[light]) throw new BadSceneError(`${fileName}: node ${i} names light ${String(light)}, which does not exist`);
    nodeLights.set(i, light);
  });
  return { lights, nodeLights };
}
