// Owns counting the triangles a frame of the scene will hold, from the glTF JSON alone: the same
// walk as world-geometry (default scene, each node once), so the count is known before loading.

import type { GLTF } from '@gltf-transform/core';

/** World triangles: every triangle primitive of every mesh the default scene reaches, once per node. */
export function sceneTriangles(json: GLTF.IGLTF): number {
  const accessors = json.accessors ?? [];
  const nodes = json.nodes ?? [];
  const meshTriangles = (json.meshes ?? []).map((mesh) =>
    (mesh.primitives ?? []).reduce((sum, p) => {
      const mode = p.mode ?? 4;
      if (mode !== 4 && mode !== 5 && mode !== 6) return sum;
      const corners = accessors[p.indices ?? p.attributes?.POSITION ?? -1]?.count ?? 0;
      return sum + (mode === 4 ? Math.floor(corners / 3) : Math.max(0, corners - 2));
    }, 0),
  );
  // The loader takes the default scene, or the first one when none is named.
  const scene = json.scenes?.[json.scene ?? 0];
  let triangles = 0;
  const visited = new Set<number>();
  const stack = [...(scene?.nodes ?? [])];
  while (stack.length > 0) {
    const index = stack.pop()!;
    const node = nodes[index];
    // glTF forbids a node with two parents or a cycle; a broken file must not count forever.
    if (!node || visited.has(index)) continue;
    visited.add(index);
    triangles += meshTriangles[node.mesh ?? -1] ?? 0;
    for (const child of node.children ?? []) stack.push(child);
  }
  return triangles;
}
