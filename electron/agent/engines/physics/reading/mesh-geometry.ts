// Owns turning glTF meshes into collision triangles: a mesh by index, or a node's mesh with its
// descendants' (in that node's own space, as the draft's `geometry.node` asks). Skins and morph
// targets are not applied: the bind pose is used, and a warning says so.

import type { Document, Mesh, Primitive } from '@gltf-transform/core';
import { readFloats } from '../../gltf/accessor-read.js';
import type { NodeGraph } from './node-graph.js';
import { BYTES_PER_NODE_VISIT, COLLISION_BYTES_PER_TRIANGLE, COLLISION_BYTES_PER_VERTEX, PHYSICS_SCENE_BUDGET_BYTES, PhysicsBudget } from './physics-budget.js';
import { BadPhysicsSceneError } from '../physics-errors.js';
import { multiply, type Mat4 } from './trs-math.js';

const MODE_TRIANGLES = 4;

export interface Triangles {
  /** xyz per vertex, doubles: scaled once more before they become float32 for Rapier. */
  positions: Float64Array;
  indices: Uint32Array;
}

export class MeshGeometry {
  private readonly meshes: Mesh[];
  private readonly skinnedWarned = new Set<number>();

  constructor(
    document: Document,
    private readonly graph: NodeGraph,
    private readonly fileName: string,
    private readonly warnings: string[],
    /** The scene's memory estimate: every collider's copy of its triangles is counted before it is made. */
    private readonly budget: PhysicsBudget = new PhysicsBudget(fileName, PHYSICS_SCENE_BUDGET_BYTES),
  ) {
    this.meshes = document.getRoot().listMeshes();
  }

  /** The triangles of mesh `index`, in its own space. */
  ofMesh(index: number, where: string): Triangles {
    return this.collect([{ mesh: index, transform: null }], where);
  }

  /** The triangles of node `node`'s mesh and its descendants', in `node`'s space (its own transform not applied). */
  ofNode(node: number, nodesJson: { mesh?: number; skin?: number }[], where: string): Triangles {
    const parts: { mesh: number; transform: Mat4 | null }[] = [];
    const open: { i: number; transform: Mat4 | null }[] = [{ i: node, transform: null }];
    while (open.length > 0) {
      const { i, transform } = open.pop()!;
      // Each collider walks its own subtree: many colliders over one large subtree would walk it many times.
      this.budget.charge(BYTES_PER_NODE_VISIT, () => `${where} and the colliders before it walk more nodes than that for their shapes`);
      const mesh = nodesJson[i]?.mesh;
      if (typeof mesh === 'number') parts.push({ mesh, transform });
      if (nodesJson[i]?.skin !== undefined && !this.skinnedWarned.has(i)) {
        this.skinnedWarned.add(i); // once per node, however many colliders take their shape from it
        this.warnings.push(`${where}: node ${this.graph.names[i]} is skinned; its collision shape uses the bind pose`);
      }
      for (const c of this.graph.children[i]!) open.push({ i: c, transform: transform ? multiply(transform, this.graph.local[c]!) : this.graph.local[c]! });
    }
    if (parts.length === 0) throw new BadPhysicsSceneError(`${this.fileName}: ${where} takes its shape from node ${this.graph.names[node]}, which has no mesh`);
    return this.collect(parts.reverse(), where);
  }

  private collect(parts: { mesh: number; transform: Mat4 | null }[], where: string): Triangles {
    // First what each primitive holds, counted against the budget; then one allocation of each array.
    const prims: { prim: Primitive; label: string; transform: Mat4 | null; vertices: number; corners: number }[] = [];
    let vertexTotal = 0;
    let cornerTotal = 0;
    for (const part of parts) {
      const mesh = this.meshes[part.mesh];
      if (!mesh) throw new BadPhysicsSceneError(`${this.fileName}: ${where} names mesh ${part.mesh}, which does not exist`);
      mesh.listPrimitives().forEach((prim, pi) => {
        const label = `${where}: mesh ${mesh.getName() || part.mesh} primitive ${pi}`;
        if (prim.getMode() !== MODE_TRIANGLES) throw new BadPhysicsSceneError(`${this.fileName}: ${label} is not a triangle list; export collision meshes as triangles`);
        if (prim.listTargets().length > 0) this.warnings.push(`${label} has morph targets; its collision shape uses the base shape`);
        const position = prim.getAttribute('POSITION');
        if (!position) throw new BadPhysicsSceneError(`${this.fileName}: ${label} has no POSITION attribute`);
        const vertices = position.getCount();
        const order = prim.getIndices()?.getCount() ?? vertices;
        const corners = order - (order % 3);
        this.budget.charge(vertices * COLLISION_BYTES_PER_VERTEX + (corners / 3) * COLLISION_BYTES_PER_TRIANGLE, () => `${label} adds ${corners / 3} collision triangles`);
        prims.push({ prim, label, transform: part.transform, vertices, corners });
        vertexTotal += vertices;
        cornerTotal += corners;
      });
    }
    const positions = new Float64Array(vertexTotal * 3);
    const indices = new Uint32Array(cornerTotal);
    let base = 0;
    let at = 0;
    for (const { prim, label, transform: m, vertices, corners } of prims) {
      const xyz = readFloats(prim.getAttribute('POSITION')!, 3);
      for (let v = 0; v < vertices; v++) {
        const x = xyz[v * 3]!, y = xyz[v * 3 + 1]!, z = xyz[v * 3 + 2]!;
        const o = (base + v) * 3;
        if (m) {
          positions[o] = m[0]! * x + m[4]! * y + m[8]! * z + m[12]!;
          positions[o + 1] = m[1]! * x + m[5]! * y + m[9]! * z + m[13]!;
          positions[o + 2] = m[2]! * x + m[6]! * y + m[10]! * z + m[14]!;
        } else {
          positions[o] = x;
          positions[o + 1] = y;
          positions[o + 2] = z;
        }
      }
      const order = prim.getIndices()?.getArray();
      for (let k = 0; k < corners; k++) {
        const index = order ? order[k]! : k;
        if (index >= vertices) throw new BadPhysicsSceneError(`${this.fileName}: ${label} has an index past its ${vertices} vertices`);
        indices[at++] = base + index;
      }
      base += vertices;
    }
    if (!positions.every(Number.isFinite)) throw new BadPhysicsSceneError(`${this.fileName}: ${where} has vertex positions that are not finite numbers`);
    return { positions, indices };
  }
}
