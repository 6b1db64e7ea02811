// Owns how a .blend's files travel: on the coordinator, every file Blender says the .blend uses
// becomes a job asset under a checked name (beside the .blend when it sits under its folder,
// else under external/); on the worker, the map from the paths the .blend names to the local
// copies, handed to Blender's remap_paths, so no task depends on a shared folder.

import { createHash } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import { basename, isAbsolute, join, normalize, relative } from 'node:path';
import type { BlenderDependency } from '../../../../shared/model/jobs.js';
import { checkAssetName } from '../../jobs/asset-name.js';
import type { Dependency } from './blender-session-protocol.js';

/** A file to store with the job: its asset name, where it is now, and the path the .blend knows it by. */
export interface DependencyFile {
  asset: string;
  path: string;
  originalPath: string;
}

/**
 * The files to ship for these dependencies. A folder (a disk cache) ships the files in it. Names
 * mirror the .blend's folder where they can, so a relative path works even before it is remapped.
 */
export function dependencyFiles(blendDir: string, dependencies: readonly Dependency[]): DependencyFile[] {
  const files = new Map<string, DependencyFile>();
  const add = (path: string, originalPath: string): void => {
    const asset = assetNameFor(blendDir, path);
    if (!files.has(asset)) files.set(asset, { asset, path, originalPath });
  };
  for (const dep of dependencies) {
    if (!dep.exists) continue;
    if (!dep.isDirectory) {
      add(dep.absolutePath, dep.absolutePath);
      continue;
    }
    for (const entry of readdirSync(dep.absolutePath)) {
      const path = join(dep.absolutePath, entry);
      if (statSync(path).isFile()) add(path, path);
    }
  }
  return [...files.values()];
}

function assetNameFor(blendDir: string, path: string): string {
  const rel = relative(blendDir, path);
  if (rel && !rel.startsWith('..') && !isAbsolute(rel)) {
    try {
      return checkAssetName(rel.split(/[\\/]/).join('/'));
    } catch {
      /* a name another OS cannot hold: ship it under external/ */
    }
  }
  const tag = createHash('sha256').update(path).digest('hex').slice(0, 12);
  const name = basename(path).replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^\.+/, '_') || 'file';
  return `external/${tag}/${name}`;
}

/**
 * Where the worker's Blender must look for each dependency: keyed by the path the .blend names as
 * Blender resolves it here. An absolute path is the same string on both machines; a relative one
 * (`//textures/a.png`) now resolves inside the job folder, so both keys are given.
 */
export function remapTable(blendDir: string, jobDir: string, dependencies: readonly BlenderDependency[]): Record<string, string> {
  const table: Record<string, string> = {};
  for (const dep of dependencies) {
    const local = join(jobDir, checkAssetName(dep.asset));
    table[dep.originalPath] = local;
    const rel = relative(blendDir, dep.originalPath);
    if (!isAbsolute(rel)) table[normalize(join(jobDir, rel))] = local;
  }
  return table;
}
