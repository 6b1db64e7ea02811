// Owns reading a glTF scene's physics (KHR_physics_rigid_bodies with KHR_implicit_shapes, or the
// older KHR_collision_shapes) into a checked PhysicsScene. Everything that would stop or distort
// a simulation is refused here, before any world exists, naming the node and what to do.

import type { Document, GLTF } from '@gltf-transform/core';
import { readBody } from './body-reader.js';
import { readCollider } from './collider-reader.js';
import { collisionGroups } from './collision-groups.js';
import { readJoint } from './joint-reader.js';
import { parseExtension, physicsDocumentSchema, physicsNodeSchema, shapesSchema, type PhysicsNodeJson } from './khr-physics-schema.js';
import { MeshGeometry } from './mesh-geometry.js';
import { buildNodeGraph, type NodeGraph } from './node-graph.js';
import { readBudget, type PhysicsBudget } from './physics-budget.js';
import { loadPhysicsDocument } from './physics-document.js';
import { BadPhysicsSceneError } from '../physics-errors.js';
import { materialWarnings } from './physics-materials.js';
import { boundedWarnings } from '../physics-output.js';
import { nodeLabel, type ReadContext } from './physics-read-context.js';
import type { BodyModel, ColliderModel, JointModel, PhysicsScene } from './physics-scene.js';
import { loadSceneSource, type SceneInput, type SceneSource } from './physics-scene-source.js';

/** A scene read for simulation, with what the output file is written from. */
export interface PhysicsSceneFile {
  source: SceneSource;
  document: Document;
  scene: PhysicsScene;
  /** The scene's estimated memory, its collision geometry included (physics-budget). */
  estimatedBytes: number;
}

export async function readPhysicsFile(input: SceneInput): Promise<PhysicsSceneFile> {
  const source = loadSceneSource(input);
  const { document, warnings, budget } = await loadPhysicsDocument(source);
  const scene = readPhysicsScene(source, document, warnings, budget);
  return { source, document, scene, estimatedBytes: budget.used };
}

/** Throws BadPhysicsSceneError for anything the engine cannot simulate as written, or whose collision geometry passes `budget`. */
export function readPhysicsScene(source: SceneSource, document: Document, warnings: string[] = [], budget?: PhysicsBudget): PhysicsScene {
  try {
    return readChecked(source, document, [...warnings], budget ?? readBudget(source.json, source.resources, source.fileName));
  } catch (err) {
    if (err instanceof BadPhysicsSceneError) throw err;
    // Whatever slipped past the checks is still the file's fault, not a reason to crash the engine.
    throw new BadPhysicsSceneError(`${source.fileName}: its physics could not be read (${(err as Error).message}); the file may be damaged`);
  }
}

function readChecked(source: SceneSource, document: Document, warnings: string[], budget: PhysicsBudget): PhysicsScene {
  const { fileName, json } = source;
  const ext = (json.extensions ?? {}) as Record<string, unknown>;
  const physics = parseExtension(physicsDocumentSchema, ext.KHR_physics_rigid_bodies ?? {}, 'extensions.KHR_physics_rigid_bodies', fileName);
  const shapes = (name: string): ReadContext['implicitShapes'] => (ext[name] === undefined ? [] : parseExtension(shapesSchema, ext[name], `extensions.${name}`, fileName).shapes);
  const graph = buildNodeGraph(json, fileName);
  const nodesJson = (json.nodes ?? []) as GLTF.INode[];
  const nodeExt = nodesJson.map((node, i): PhysicsNodeJson | null => {
    const value = (node?.extensions as Record<string, unknown> | undefined)?.KHR_physics_rigid_bodies;
    return value === undefined ? null : parseExtension(physicsNodeSchema, value, `nodes[${i}].extensions.KHR_physics_rigid_bodies`, fileName);
  });
  const inScene = (i: number): boolean => graph.inScene[i]! && nodeExt[i] !== null;
  const bodyNodes = nodeExt.flatMap((e, i) => (inScene(i) && e!.motion ? [i] : []));
  const ownerBody = owningBodies(graph, (i) => !!nodeExt[i]?.motion);
  const colliderNodes = nodeExt.flatMap((e, i) => (inScene(i) && e!.collider ? [i] : []));
  const filters = physics.collisionFilters ?? [];
  const usedFilters = colliderNodes.map((i) => nodeExt[i]!.collider!.collisionFilter ?? null);
  for (const f of usedFilters) if (f !== null && !filters[f]) throw new BadPhysicsSceneError(`${fileName}: a collider names collision filter ${f}, which does not exist`);

  const ctx: ReadContext = {
    fileName,
    graph,
    nodesJson: nodesJson as ReadContext['nodesJson'],
    document: physics,
    implicitShapes: shapes('KHR_implicit_shapes'),
    collisionShapes: shapes('KHR_collision_shapes'),
    nodeExt,
    ownerBody,
    bodyIndex: new Map(bodyNodes.map((n, i) => [n, i])),
    bodyPose: new Map(),
    geometry: new MeshGeometry(document, graph, fileName, warnings, budget),
    groups: collisionGroups(filters, usedFilters, fileName),
    warnings,
  };
  const bodies: BodyModel[] = bodyNodes.map((n) => {
    const body = readBody(ctx, n);
    ctx.bodyPose.set(n, { translation: body.translation, rotation: body.rotation });
    return body;
  });
  const staticColliders: ColliderModel[] = [];
  for (const n of colliderNodes) {
    const owner = ownerBody[n]!;
    const collider = readCollider(ctx, n, owner === -1 ? null : ctx.bodyPose.get(owner)!);
    if (!collider) continue;
    if (owner === -1) staticColliders.push(collider);
    else if (collider.shape.kind === 'halfspace') throw new BadPhysicsSceneError(`${fileName}: ${nodeLabel(ctx, n)}'s collider is an infinite plane on a moving body; planes can only be static`);
    else bodies[ctx.bodyIndex.get(owner)!]!.colliders.push(collider);
  }
  checkBodies(bodies, fileName);
  const joints = nodeExt.flatMap((e, i): JointModel[] => {
    const joint = inScene(i) && e!.joint ? readJoint(ctx, i) : null;
    return joint ? [joint] : [];
  });
  const usedMaterials = new Set(colliderNodes.flatMap((i) => nodeExt[i]!.collider!.physicsMaterial ?? []));
  warnings.push(...materialWarnings(physics.physicsMaterials ?? [], usedMaterials));
  const triggers = nodeExt.filter((e, i) => inScene(i) && e!.trigger !== undefined).length;
  if (triggers > 0) warnings.push(`${triggers} trigger volume(s) ignored: they detect overlaps and move nothing`);
  const animated = new Set(document.getRoot().listAnimations().flatMap((a) => a.listChannels().map((c) => c.getTargetNode())));
  const nodes = document.getRoot().listNodes();
  for (const body of bodies) {
    if (animated.has(nodes[body.node] ?? null)) warnings.push(`${body.name} is animated in the file; the simulation moves it instead, and the output drops that animation`);
  }
  return { fileName, bodies, staticColliders, joints, warnings: boundedWarnings(warnings) };
}

function checkBodies(bodies: BodyModel[], fileName: string): void {
  if (!bodies.some((b) => b.kind === 'dynamic')) {
    const why = bodies.length === 0 ? 'no node has a motion (KHR_physics_rigid_bodies)' : 'its only moving bodies are kinematic';
    throw new BadPhysicsSceneError(`${fileName} has no dynamic rigid body to simulate: ${why}; give at least one node a motion`);
  }
  for (const body of bodies) {
    if (body.kind === 'dynamic' && body.colliders.length === 0 && body.mass === null) {
      throw new BadPhysicsSceneError(`${fileName}: ${body.name} moves but has neither a collider nor a mass, so it has no mass to move; give it a collider or a mass`);
    }
  }
}

/**
 * Per node in the scene: the node of its body (itself, or its nearest ancestor with a motion), or
 * -1. Each node is settled once, from its parent's answer: a chain of many thousand nodes costs
 * as much as its length, not its square.
 */
function owningBodies(graph: NodeGraph, moves: (node: number) => boolean): Int32Array {
  const UNSET = -2;
  const nearest = new Int32Array(graph.count).fill(UNSET);
  const chain: number[] = [];
  for (let start = 0; start < graph.count; start++) {
    // Up to the first node already settled (or past the root), then settle the way back down.
    let i = start;
    while (i !== -1 && nearest[i] === UNSET) {
      chain.push(i);
      i = graph.parent[i]!;
    }
    let above = i === -1 ? -1 : nearest[i]!;
    while (chain.length > 0) {
      const n = chain.pop()!;
      if (moves(n)) above = n;
      nearest[n] = above;
    }
  }
  return nearest.map((owner, i) => (graph.inScene[i] ? owner : -1));
}
