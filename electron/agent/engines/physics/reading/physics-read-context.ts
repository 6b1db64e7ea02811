// Owns what the physics reader's parts share while reading one scene: the parsed extension JSON,
// the node graph, which body each node belongs to, and the warnings so far.

import type { MeshGeometry } from './mesh-geometry.js';
import type { NodeGraph } from './node-graph.js';
import type { PhysicsDocumentJson, PhysicsNodeJson, ShapeJson } from './khr-physics-schema.js';
import type { Pose } from './physics-scene.js';

export interface ReadContext {
  fileName: string;
  graph: NodeGraph;
  /** The raw nodes, for `mesh` and `skin`, which the graph does not keep. */
  nodesJson: { mesh?: number; skin?: number }[];
  document: PhysicsDocumentJson;
  /** KHR_implicit_shapes' shapes (referenced by `geometry.shape`). */
  implicitShapes: ShapeJson[];
  /** The older KHR_collision_shapes' shapes (referenced by `collider.shape`). */
  collisionShapes: ShapeJson[];
  nodeExt: (PhysicsNodeJson | null)[];
  /** Per node: the node of its body (itself or the nearest ancestor with a motion), or -1 when static. */
  ownerBody: Int32Array;
  /** Per body node: its index in PhysicsScene.bodies. */
  bodyIndex: Map<number, number>;
  /** Per body node: its rigid pose in the world. */
  bodyPose: Map<number, Pose>;
  geometry: MeshGeometry;
  groups: Map<number | null, number>;
  warnings: string[];
}

/** How many nodes have each name, per graph: counted once, not for every message (a scene may have a million nodes). */
const nameCounts = new WeakMap<NodeGraph, Map<string, number>>();

/** "node NAME" for messages; the index too when the name is not unique. */
export function nodeLabel(ctx: ReadContext, node: number): string {
  const name = ctx.graph.names[node]!;
  let counts = nameCounts.get(ctx.graph);
  if (!counts) {
    counts = new Map();
    for (const n of ctx.graph.names) counts.set(n, (counts.get(n) ?? 0) + 1);
    nameCounts.set(ctx.graph, counts);
  }
  return counts.get(name) === 1 ? `node ${name}` : `node ${name} (#${node})`;
}
