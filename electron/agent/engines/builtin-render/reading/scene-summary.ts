// Owns describing a loaded scene for the job system: counts, whether it has a camera, how many
// animation frames it has, and what the renderer will do differently from what the file says.

import { animationFrameCount } from './animation-sampler.js';
import { BadSceneError } from '../../gltf/scene-errors.js';
import type { BudgetedScene } from './scene-loader.js';
import type { SceneModel } from './scene-model.js';
import { MAX_TRIANGLES, tooManyTriangles } from './world-geometry.js';

export interface SceneSummary {
  triangles: number;
  meshes: number;
  materials: number;
  lights: number;
  textures: number;
  hasCamera: boolean;
  /** Frames at fps of the first animation, null if none. */
  animationFrames: number | null;
  warnings: string[];
  /** Buffers and images beside the scene file that it reads, relative to its folder. */
  externalFiles: string[];
  /** The most memory the scene was estimated to need on a worker (scene-budget). */
  memoryBytes: number;
}

export function inspectLoadedScene({ scene, estimate, externalFiles }: BudgetedScene, fps: number): SceneSummary {
  return { ...summarizeScene(scene, fps), externalFiles, memoryBytes: estimate.peakBytes };
}

export function summarizeScene(scene: SceneModel, fps: number): Omit<SceneSummary, 'externalFiles' | 'memoryBytes'> {
  let triangles = 0;
  let lights = 0;
  let hasCamera = false;
  const visited = new Set<number>();
  const visit = (index: number): void => {
    const node = scene.nodes[index];
    if (!node || visited.has(index)) return;
    visited.add(index);
    for (const primitive of scene.meshes[node.mesh] ?? []) triangles += primitive.indices.length / 3;
    if (scene.lights[node.light]) lights++;
    if (scene.cameras[node.camera]) hasCamera = true;
    node.children.forEach(visit);
  };
  scene.roots.forEach(visit);
  if (triangles > MAX_TRIANGLES) throw tooManyTriangles(triangles);
  if (triangles === 0) throw new BadSceneError(`the scene has no triangles (${scene.fileName} has nothing to render)`);
  const emissive = scene.materials.some((m) => m.emissive.some((e) => e > 0));
  const warnings = [...scene.warnings];
  if (!hasCamera) warnings.push('the scene has no camera; a default camera looking at the whole scene is used');
  if (lights === 0 && !emissive) warnings.push('the scene has no lights; it is lit by a constant soft sky');
  return {
    triangles,
    meshes: scene.meshes.length,
    materials: scene.materials.length,
    lights,
    textures: scene.textureCount,
    hasCamera,
    animationFrames: animationFrameCount(scene, fps),
    warnings,
  };
}
