// Owns reading one node's `collider`: which geometry (an implicit shape, a node's meshes, a mesh,
// or an older KHR_collision_shapes shape), its pose and scale relative to its body, its material
// and its collision filter.

import { MAX_POSITION_M } from './body-reader.js';
import { implicitShape, meshShape } from './collider-shapes.js';
import type { ShapeJson } from './khr-physics-schema.js';
import { nodeLabel, type ReadContext } from './physics-read-context.js';
import { materialModel } from './physics-materials.js';
import { BadPhysicsSceneError } from '../physics-errors.js';
import type { ColliderModel, Pose, ShapeModel, Vec3 } from './physics-scene.js';
import { columnLengths, decompose, relativeTo } from './trs-math.js';

/** The collider on `node`, posed in `frame` (its body's, or null for the world); null when a zero scale disables it. */
export function readCollider(ctx: ReadContext, node: number, frame: Pose | null): ColliderModel | null {
  const collider = ctx.nodeExt[node]!.collider!;
  const where = `${nodeLabel(ctx, node)}'s collider`;
  const refuse = (why: string): never => {
    throw new BadPhysicsSceneError(`${ctx.fileName}: ${where} ${why}`);
  };
  const world = ctx.graph.world[node]!;
  const matrix = frame ? relativeTo(frame, world) : world;
  const lengths = columnLengths(matrix);
  const disabled = (): null => {
    ctx.warnings.push(`${where} has a zero scale, so it is disabled`);
    return null;
  };
  // The draft: a shape whose node is scaled to zero on every axis is disabled.
  if (lengths.every((l) => l === 0)) return disabled();
  if (lengths.some((l) => l === 0)) refuse('has a scale of zero on one axis, which flattens its shape; scale it on every axis or on none');
  const relative = decompose(matrix);
  if (!relative) refuse('sits under a rotated, non-uniformly scaled parent, which shears its shape; apply the scale in your tool');
  const { translation, rotation, scale } = relative!;
  if (!translation.every((x) => Math.abs(x) <= MAX_POSITION_M)) refuse(`is ${Math.max(...translation.map(Math.abs))} m out; the engine simulates within ${MAX_POSITION_M} m`);
  const shape = shapeOf(ctx, collider, scale, where, refuse);
  if (!shape) return disabled();
  const materialIndex = collider.physicsMaterial;
  const materials = ctx.document.physicsMaterials ?? [];
  if (materialIndex !== undefined && !materials[materialIndex]) refuse(`names physics material ${materialIndex}, which does not exist`);
  return {
    node,
    name: ctx.graph.names[node]!,
    shape,
    translation,
    rotation,
    material: materialModel(materialIndex === undefined ? undefined : materials[materialIndex]),
    groups: ctx.groups.get(collider.collisionFilter ?? null)!,
  };
}

function shapeOf(
  ctx: ReadContext,
  collider: NonNullable<NonNullable<ReadContext['nodeExt'][number]>['collider']>,
  scale: Vec3,
  where: string,
  refuse: (why: string) => never,
): ShapeModel | null {
  const shapeAt = (list: ShapeJson[], index: number, extension: string): ShapeJson => list[index] ?? refuse(`names ${extension} shape ${index}, which does not exist`);
  const geometry = collider.geometry;
  if (geometry?.shape !== undefined) {
    return implicitShape(shapeAt(ctx.implicitShapes, geometry.shape, 'KHR_implicit_shapes'), scale, where, ctx.fileName);
  }
  if (geometry?.node !== undefined) {
    if (geometry.node >= ctx.graph.count) refuse(`takes its geometry from node ${geometry.node}, which does not exist`);
    const triangles = ctx.geometry.ofNode(geometry.node, ctx.nodesJson, where);
    return meshShape(triangles, geometry.convexHull ?? false, scale, where, ctx.fileName);
  }
  if (geometry?.mesh !== undefined) {
    return meshShape(ctx.geometry.ofMesh(geometry.mesh, where), geometry.convexHull ?? false, scale, where, ctx.fileName);
  }
  // The older drafts: `collider.shape` indexes KHR_collision_shapes, whose shapes may be meshes.
  const shape = shapeAt(ctx.collisionShapes, collider.shape!, 'KHR_collision_shapes');
  if (shape.type !== 'mesh') return implicitShape(shape, scale, where, ctx.fileName);
  if (!shape.mesh) refuse(`uses a mesh shape with no mesh`);
  const convexHull = shape.mesh!.convexHull ?? shape.extensions?.KHR_physics_rigid_bodies?.convexHull ?? false;
  return meshShape(ctx.geometry.ofMesh(shape.mesh!.mesh, where), convexHull, scale, where, ctx.fileName);
}
