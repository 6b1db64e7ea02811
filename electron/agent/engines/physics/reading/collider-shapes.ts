// Owns turning a draft shape (implicit, or triangles from a mesh) and the scale its node carries
// into a shape Rapier has. A shape Rapier cannot represent exactly is refused with the reason and
// what to do instead, never silently approximated.

import type { ShapeJson } from './khr-physics-schema.js';
import type { Triangles } from './mesh-geometry.js';
import { BadPhysicsSceneError } from '../physics-errors.js';
import type { ShapeModel, Vec3 } from './physics-scene.js';

/** Sizes outside this range (metres) lose too much in Rapier's float32 arithmetic to mean anything. */
export const MIN_SHAPE_SIZE_M = 1e-6;
export const MAX_SHAPE_SIZE_M = 1e6;

const sameScale = (a: number, b: number): boolean => Math.abs(a - b) <= Math.max(a, b) * 1e-5;

/**
 * The shape, or null when the node's scale is zero on every axis (the draft says: disabled).
 * `scale` is the node's scale relative to its body; implicit shapes take its absolute value.
 */
export function implicitShape(shape: ShapeJson, scale: Vec3, where: string, fileName: string): ShapeModel | null {
  const refuse = (why: string): never => {
    throw new BadPhysicsSceneError(`${fileName}: ${where} ${why}`);
  };
  const s = scale.map(Math.abs) as Vec3;
  if (s.every((v) => v === 0)) return null;
  if (s.some((v) => v === 0)) refuse('has a scale of zero on one axis, which flattens its shape; scale it on every axis or on none');
  const uniform = sameScale(s[0], s[1]) && sameScale(s[1], s[2]);
  const nonUniform = (what: string): never => refuse(`is a ${what} under a non-uniform scale (${scale.join(', ')}), which is no longer a ${what}; apply the scale to the shape's size in your tool`);
  let model: ShapeModel;
  switch (shape.type) {
    case 'sphere': {
      if (!uniform) nonUniform('sphere');
      model = { kind: 'sphere', radius: (shape.sphere?.radius ?? 0.5) * s[0] };
      break;
    }
    case 'box': {
      const size = shape.box?.size ?? [1, 1, 1];
      model = { kind: 'box', halfExtents: [(size[0] / 2) * s[0], (size[1] / 2) * s[1], (size[2] / 2) * s[2]] };
      break;
    }
    case 'capsule': {
      const { height = 0.5, radiusTop = 0.25, radiusBottom = 0.25 } = shape.capsule ?? {};
      if (radiusTop !== radiusBottom) refuse(`is a tapered capsule (radiusTop ${radiusTop}, radiusBottom ${radiusBottom}); Rapier's capsules have one radius: make both radii equal, or use a convex hull mesh`);
      if (radiusTop === 0) refuse('is a capsule of radius 0');
      if (!uniform) nonUniform('capsule');
      model = { kind: 'capsule', halfHeight: (height / 2) * s[0], radius: radiusTop * s[0] };
      break;
    }
    case 'cylinder': {
      const { height = 0.5, radiusTop = 0.25, radiusBottom = 0.25 } = shape.cylinder ?? {};
      if (!sameScale(s[0], s[2])) nonUniform('cylinder');
      const halfHeight = (height / 2) * s[1];
      if (radiusTop === radiusBottom) {
        if (radiusTop === 0) refuse('is a cylinder of radius 0');
        model = { kind: 'cylinder', halfHeight, radius: radiusTop * s[0] };
      } else if (radiusTop === 0 || radiusBottom === 0) {
        model = { kind: 'cone', halfHeight, radius: Math.max(radiusTop, radiusBottom) * s[0], apexDown: radiusBottom === 0 };
      } else {
        refuse(`is a truncated cone (radiusTop ${radiusTop}, radiusBottom ${radiusBottom}); Rapier has cylinders and cones but no frustum: use a convex hull mesh`);
      }
      break;
    }
    case 'plane': {
      const plane = shape.plane ?? {};
      if (plane.sizeX !== undefined || plane.sizeZ !== undefined) refuse('is a finite plane; Rapier has only infinite ones: use a thin box');
      if (plane.doubleSided) refuse('is a double-sided plane; Rapier\'s plane is solid below it: use a thin box');
      return { kind: 'halfspace' };
    }
    default:
      return refuse(`uses shape type "${shape.type}", which this engine does not know; use a box, sphere, capsule, cylinder, plane or mesh`);
  }
  checkSizes(model!, where, fileName);
  return model!;
}

/** A convex hull or triangle mesh of `triangles`, scaled (with sign: a mirror flips triangles, which Rapier does not mind). */
export function meshShape(triangles: Triangles, convexHull: boolean, scale: Vec3, where: string, fileName: string): ShapeModel | null {
  if (scale.every((v) => v === 0)) return null;
  if (scale.some((v) => v === 0)) throw new BadPhysicsSceneError(`${fileName}: ${where} has a scale of zero on one axis, which flattens its mesh`);
  const points = new Float32Array(triangles.positions.length);
  for (let i = 0; i < points.length; i++) points[i] = triangles.positions[i]! * scale[i % 3]!;
  if (!points.every((p) => Math.abs(p) <= MAX_SHAPE_SIZE_M)) throw new BadPhysicsSceneError(`${fileName}: ${where} reaches beyond ${MAX_SHAPE_SIZE_M} m from its node; the engine simulates shapes up to that size`);
  if (convexHull) {
    if (points.length < 12) throw new BadPhysicsSceneError(`${fileName}: ${where} has fewer than 4 points; a convex hull needs a volume`);
    return { kind: 'convex', points };
  }
  if (triangles.indices.length === 0) throw new BadPhysicsSceneError(`${fileName}: ${where} has no triangles`);
  return { kind: 'trimesh', vertices: points, indices: triangles.indices };
}

function checkSizes(shape: ShapeModel, where: string, fileName: string): void {
  const sizes: number[] =
    shape.kind === 'box' ? shape.halfExtents : shape.kind === 'sphere' ? [shape.radius] : 'radius' in shape ? [shape.radius, shape.halfHeight] : [];
  for (const size of sizes) {
    if (!(size >= MIN_SHAPE_SIZE_M && size <= MAX_SHAPE_SIZE_M)) {
      throw new BadPhysicsSceneError(`${fileName}: ${where} has a size of ${size} m; the engine simulates shapes from ${MIN_SHAPE_SIZE_M} m to ${MAX_SHAPE_SIZE_M} m`);
    }
  }
}
