// Owns turning glTF meshes into collision triangles: a mesh by index, or a node's mesh with its
// descendants' (in that node's own space, as the draft's `geometry.node` asks). Skins and morph
// targets are not applied: the bind pose is used, and a warning says so.

import type { Document, Mesh } from '@gltf-transform/core';
import { readFloats } from '../builtin-render/accessor-read.js';
import type { NodeGraph } from './node-graph.js';
import { BadPhysicsSceneError } from './physics-errors.js';
import { multiply, type Mat4 } from './trs-math.js';

const MODE_TRIANGLES = 4;

export interface Triangles {
  /** xyz per vertex, doubles: scaled once more before they become float32 for Rapier. */
  positions: Float64Array;
  indices: Uint32Array;
}

export class MeshGeometry {
  private readonly meshes: Mesh[];

  constructor(
    document: Document,
    private readonly graph: NodeGraph,
    private readonly fileName: string,
    private readonly warnings: string[],
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
      const mesh = nodesJson[i]?.mesh;
      if (typeof mesh === 'number') parts.push({ mesh, transform });
      if (nodesJson[i]?.skin !== undefined) this.warnings.push(`${where}: node ${this.graph.names[i]} is skinned; its collision shape uses the bind pose`);
      for (const c of this.graph.children[i]!) open.push({ i: c, transform: transform ? multiply(transform, this.graph.local[c]!) : this.graph.local[c]! });
    }
    if (parts.length === 0) throw new BadPhysicsSceneError(`${this.fileName}: ${where} takes its shape from node ${this.graph.names[node]}, which has no mesh`);
    return this.collect(parts.reverse(), where);
  }

  private collect(parts: { mesh: number; transform: Mat4 | null }[], where: string): Triangles {
    const positions: number[] = [];
    const indices: number[] = [];
    for (const part of parts) {
      const mesh = this.meshes[part.mesh];
      if (!mesh) throw new BadPhysicsSceneError(`${this.fileName}: ${where} names mesh ${part.mesh}, which does not exist`);
      mesh.listPrimitives().forEach((prim, pi) => {
        const label = `${where}: mesh ${mesh.getName() || part.mesh} primitive ${pi}`;
        if (prim.getMode() !== MODE_TRIANGLES) throw new BadPhysicsSceneError(`${this.fileName}: ${label} is not a triangle list; export collision meshes as triangles`);
        if (prim.listTargets().length > 0) this.warnings.push(`${label} has morph targets; its collision shape uses the base shape`);
        const position = prim.getAttribute('POSITION');
        if (!position) throw new BadPhysicsSceneError(`${this.fileName}: ${label} has no POSITION attribute`);
        const xyz = readFloats(position, 3);
        const base = positions.length / 3;
        const vertexCount = position.getCount();
        const m = part.transform;
        for (let v = 0; v < vertexCount; v++) {
          const x = xyz[v * 3]!, y = xyz[v * 3 + 1]!, z = xyz[v * 3 + 2]!;
          if (m) positions.push(m[0]! * x + m[4]! * y + m[8]! * z + m[12]!, m[1]! * x + m[5]! * y + m[9]! * z + m[13]!, m[2]! * x + m[6]! * y + m[10]! * z + m[14]!);
          else positions.push(x, y, z);
        }
        const order = prim.getIndices()?.getArray() ?? Uint32Array.from({ length: vertexCount }, (_, k) => k);
        const usable = order.length - (order.length % 3);
        for (let k = 0; k < usable; k++) {
          const index = order[k]!;
          if (index >= vertexCount) throw new BadPhysicsSceneError(`${this.fileName}: ${label} has an index past its ${vertexCount} vertices`);
          indices.push(base + index);
        }
      });
    }
    if (!positions.every(Number.isFinite)) throw new BadPhysicsSceneError(`${this.fileName}: ${where} has vertex positions that are not finite numbers`);
    return { positions: Float64Array.from(positions), indices: Uint32Array.from(indices) };
  }
}
