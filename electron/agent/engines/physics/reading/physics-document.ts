// Owns reading a scene's meshes, accessors and animations with @gltf-transform/core. The reader
// keeps no extension it has no class for, so the physics drafts' JSON is read from the raw JSON
// (gltf-physics-reader) and this Document serves the geometry and the output file.

import { NodeIO, Verbosity, type Document, type GLTF } from '@gltf-transform/core';
import { checkGltfJson, SUPPORTED_EXTENSIONS } from '../../gltf/gltf-json-check.js';
import { checkGltfStructure } from './gltf-structure-check.js';
import { readBudget, type PhysicsBudget } from './physics-budget.js';
import { BadPhysicsSceneError } from '../physics-errors.js';
import type { SceneSource } from './physics-scene-source.js';

/** The physics drafts, under their current and older names: read by us from the raw JSON. */
export const PHYSICS_EXTENSIONS = ['KHR_physics_rigid_bodies', 'KHR_implicit_shapes', 'KHR_collision_shapes'];

const HONOURED = new Set([...PHYSICS_EXTENSIONS, ...SUPPORTED_EXTENSIONS]);

/**
 * A Document of the scene; throws BadPhysicsSceneError for damaged data, a required extension
 * nobody here reads, or a scene whose reading would pass the memory budget (estimated first).
 * The budget goes on to count the collision geometry.
 */
export async function loadPhysicsDocument(source: SceneSource): Promise<{ document: Document; warnings: string[]; budget: PhysicsBudget }> {
  const { fileName, json, resources } = source;
  checkGltfStructure(json, fileName);
  const forReader: GLTF.IGLTF = {
    ...json,
    extensionsRequired: (Array.isArray(json.extensionsRequired) ? json.extensionsRequired : []).filter((e) => !HONOURED.has(e)),
  };
  let warnings: string[];
  try {
    warnings = checkGltfJson(forReader, resources, fileName);
  } catch (err) {
    throw new BadPhysicsSceneError((err as Error).message);
  }
  // The renderer's check says which extensions it cannot render; that is not the simulation's
  // concern (writePhysicsGlb says which it leaves out of the output).
  warnings = warnings.filter((w) => !/^extension \S+ is not supported and was ignored$/.test(w));
  // Before the reader allocates: it copies every accessor, and allocates one without a buffer view at its declared count.
  const budget = readBudget(json, resources, fileName);
  try {
    const io = new NodeIO().setLogger({ debug() {}, info() {}, warn() {}, error() {}, verbosity: Verbosity.SILENT } as never);
    // Extensions are cleared for the reader: it refuses required ones it has no class for.
    const document = await io.readJSON({ json: { ...forReader, extensionsRequired: [] }, resources: resources as Record<string, Uint8Array<ArrayBuffer>> });
    return { document, warnings, budget };
  } catch (err) {
    throw new BadPhysicsSceneError(`could not read ${fileName}: ${(err as Error).message}`);
  }
}
