import { describe, expect, it } from 'vitest';
import { animationFrameCount, poseNodes } from '../../../../../../electron/agent/engines/builtin-render/reading/animation-sampler.js';
import { composeTrs, normalMatrix } from '../../../../../../electron/agent/engines/gltf/mat4.js';
import type { SceneModel } from '../../../../../../electron/agent/engines/builtin-render/reading/scene-model.js';

function scene(step: boolean): SceneModel {
  const s = Math.SQRT1_2;
  return {
    fileName: 't.glb',
    nodes: [{ name: 'n', translation: [0, 0, 0], rotation: [0, 0, 0, 1], scale: [1, 1, 1], children: [], mesh: -1, camera: -1, light: -1 }],
    roots: [0],
    meshes: [],
    materials: [],
    cameras: [],
    lights: [],
    animation: {
      durationSec: 2,
      channels: [
        { node: 0, path: 'translation', step, times: Float32Array.of(0, 2), values: Float32Array.of(0, 0, 0, 4, 2, 0) },
        { node: 0, path: 'rotation', step, times: Float32Array.of(0, 2), values: Float32Array.of(0, 0, 0, 1, 0, s, 0, s) },
      ],
    },
    textureCount: 0,
    warnings: [],
  };
}

describe('poseNodes', () => {
  it('interpolates translation linearly and rotation by slerp, and holds the ends', () => {
    const [mid] = poseNodes(scene(false), 1);
    expect(mid!.translation).toEqual([2, 1, 0]);
    const angle = 2 * Math.atan2(mid!.rotation[1], mid!.rotation[3]);
    expect(angle).toBeCloseTo(Math.PI / 4, 5); // halfway to a quarter turn
    expect(poseNodes(scene(false), 5)[0]!.translation).toEqual([4, 2, 0]);
    expect(poseNodes(scene(false), -1)[0]!.translation).toEqual([0, 0, 0]);
  });

  it('holds each key with STEP', () => {
    expect(poseNodes(scene(true), 1.9)[0]!.translation).toEqual([0, 0, 0]);
    expect(poseNodes(scene(true), 2)[0]!.translation).toEqual([4, 2, 0]);
  });

  it('counts frames at fps, both ends included', () => {
    expect(animationFrameCount(scene(false), 24)).toBe(49);
    expect(animationFrameCount({ ...scene(false), animation: null }, 24)).toBeNull();
  });
});

describe('normalMatrix', () => {
  it('keeps normals perpendicular under non-uniform scale', () => {
    const m = composeTrs([1, 2, 3], [0, Math.sin(0.3), 0, Math.cos(0.3)], [2, 0.5, 3]);
    const n = normalMatrix(m);
    // Tangent (1, 1, 0) and normal (1, -1, 0) of a surface; transform both and check they stay perpendicular.
    const t = [m[0]! + m[4]!, m[1]! + m[5]!, m[2]! + m[6]!];
    const nn = [n[0]! - n[3]!, n[1]! - n[4]!, n[2]! - n[5]!];
    expect(t[0]! * nn[0]! + t[1]! * nn[1]! + t[2]! * nn[2]!).toBeCloseTo(0, 10);
  });
});
