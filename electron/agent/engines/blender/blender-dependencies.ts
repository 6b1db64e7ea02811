// Owns which of the submitter's files a .blend may send to teammates, and where a worker finds
// them. A .blend is a file from anyone: it names paths, and nothing it names leaves this machine
// unchecked. On the coordinator every file Blender says the .blend uses must be a regular file
// under the project root (the .blend's folder unless the user chose a wider one), reached without
// a link out of it, not hidden, not in Troupe's own data folder, and never a device, pipe or
// /proc file; anything else is refused by name unless the user approved that very file. Files
// keep their place under the root (assets named by their project-relative path), so a `//`
// path works on the worker unchanged and teammates see project-relative names only. What the
// .blend names absolutely (or outside the root, once approved) gets a remap entry keyed by the
// stored path, which the worker's Blender applies (remap_paths).

import { lstat, realpath, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, normalize, relative, sep } from 'node:path';
import type { BlenderDependency } from './blender-wire.js';
import { checkAssetName } from '../../jobs/asset-name.js';
import type { Dependency, DependencyReport } from './blender-session-protocol.js';

/** A file to store with the job: its asset name, where it is now (links resolved), and which file it was when checked. */
export interface DependencyFile {
  asset: string;
  path: string;
  sizeBytes: number;
  /** The checked file's device and inode: what is read must be this very file (a folder swapped for a link since is not followed). */
  dev: number;
  ino: number;
}
type Checked = { real: string; size: number; dev: number; ino: number };

export interface ProjectRules {
  /** The .blend being sent (absolute). */
  scenePath: string;
  /** Every file must be under this folder (absolute); the .blend's folder when absent. */
  projectRoot?: string;
  /** Files outside the root (or hidden) the user approved by their absolute path. */
  approved?: readonly string[];
  /** Folders nothing may come from, approved or not (Troupe's data folder). */
  privateFolders?: readonly string[];
  /** Missing files become warnings instead of refusing the job. */
  allowMissing?: boolean;
}

export interface ProjectFiles {
  /** The .blend itself first, then every file it needs. */
  files: DependencyFile[];
  /** The worker's remap entries: stored path -> job-relative place. */
  remaps: BlenderDependency[];
  /** Why files were refused, one sentence each, naming the file. */
  refused: string[];
  /** Needed files that are not there. */
  missing: string[];
  warnings: string[];
}

/** Where a job's files may never come from, whatever a user approves. */
const SYSTEM_FOLDERS = ['/proc', '/sys', '/dev', '/run'];
/** Linked datablocks whose absolute path a worker repoints (checked on Blender 3.4: an image's path is editable in a library). */
const REPOINTABLE_IN_LIBRARY: ReadonlySet<string> = new Set(['image']);
/** Files outside the project, once approved, sit under this folder of the job. */
export const OUTSIDE_FOLDER = '_outside';
/** At most this many files in one job. */
/** Files a job may ship: a lease carries at most 10 000, and a stitch's also carries the .blend and its region tiles. */
const MAX_FILES = 9_000;

function within(folder: string, path: string): boolean {
  const rel = relative(folder, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

function hasHiddenPart(rel: string): boolean {
  return rel.split(sep).some((part) => part.startsWith('.'));
}

/** The deepest folder holding all these paths. */
function commonFolder(paths: readonly string[]): string {
  let common = dirname(paths[0]!);
  for (const path of paths) while (!within(common, path) && dirname(common) !== common) common = dirname(common);
  return common;
}

/**
 * Checks every file the report names against the project rules and names the job's assets. Reads
 * only metadata (lstat, realpath): no file's bytes are touched before the whole list passed.
 */
export async function projectFiles(report: DependencyReport, rules: ProjectRules): Promise<ProjectFiles> {
  const root = normalize(rules.projectRoot ?? dirname(rules.scenePath));
  const realRoot = await realpath(root).catch(() => root);
  const approved = new Set((rules.approved ?? []).map((p) => normalize(p)));
  const privateFolders = await Promise.all((rules.privateFolders ?? []).map((f) => realpath(f).catch(() => f)));
  const refused: string[] = [];
  const warnings = [...report.warnings];
  const inside = new Map<string, Checked>(); // named path -> the file it is, under the root
  const outside = new Map<string, Checked>(); // approved paths outside the root

  /** Checks one path; its size when it may go, else null (with the reason in refused or warnings). */
  const check = async (path: string, quietly: boolean): Promise<Checked | null> => {
    const say = (words: string): null => {
      (quietly ? warnings : refused).push(quietly ? `${words}; it was not sent` : words);
      return null;
    };
    const named = normalize(path);
    const real = await realpath(named).catch(() => null);
    const info = await lstat(named).catch(() => null);
    if (!real || !info) return say(`${named} cannot be read`);
    if (SYSTEM_FOLDERS.some((f) => within(f, real))) return say(`${named} is a system file (${real}), never part of a scene`);
    // An upload's project lies in the data folder: its own files go, nothing else there does.
    if (privateFolders.some((f) => within(f, real) && !(within(f, realRoot) && within(realRoot, real))))
      return say(`${named} is in Troupe's own data folder, which is never sent`);
    const target = info.isSymbolicLink() ? await lstat(real).catch(() => null) : info;
    if (!target?.isFile()) return say(`${named} is not a regular file (${target?.isDirectory() ? 'a folder' : 'a device, pipe or socket'}), so it is not sent`);
    const isApproved = approved.has(named) || approved.has(real);
    const checked = { real, size: target.size, dev: target.dev, ino: target.ino };
    if (!within(root, named) || !within(realRoot, real)) {
      if (isApproved) {
        outside.set(named, checked);
        return checked;
      }
      const how = within(root, named) ? ` (it is a link to ${real})` : '';
      return say(`${named} is outside the project folder ${root}${how}: move it into the project, choose a wider project folder, or approve this file`);
    }
    // By its name and by where it really is: a folder in the project may be a link to .git.
    if ((hasHiddenPart(relative(root, named)) || hasHiddenPart(relative(realRoot, real))) && !isApproved)
      return say(`${named} is a hidden file, which a scene does not normally use: approve it if the scene needs it`);
    inside.set(named, checked);
    return checked;
  };

  const scene = normalize(rules.scenePath);
  if (!within(root, scene)) refused.push(`The project folder ${root} does not hold the .blend ${scene}`);
  const missing: string[] = [];
  const needed: { dep: Dependency; files: string[] }[] = [];
  for (const dep of report.dependencies) {
    const files: string[] = [];
    for (const file of dep.files) if ((await check(file, dep.optional)) !== null) files.push(file);
    if (dep.optional) dep.missing.forEach((m) => warnings.push(`Blender also names ${m}, which is missing; it was not sent`));
    else missing.push(...dep.missing);
    needed.push({ dep, files });
  }
  if (inside.size + outside.size > MAX_FILES) refused.push(`The scene uses ${inside.size + outside.size} files; a job takes at most ${MAX_FILES}`);
  if (missing.length > 0 && rules.allowMissing) warnings.push(`These files are missing and the job was allowed to go without them: ${missing.slice(0, 20).join(', ')}`);

  const sceneReal = await realpath(scene).catch(() => scene);
  const sceneInfo = await stat(sceneReal).catch(() => null);
  const outsideBase = outside.size > 0 ? commonFolder([...outside.keys()]) : '';
  const assetOf = (path: string): string => {
    const rel = within(root, path) ? relative(root, path) : join(OUTSIDE_FOLDER, relative(outsideBase, path));
    return checkAssetName(rel.split(sep).join('/'));
  };
  const files: DependencyFile[] = [];
  const names = new Set<string>();
  const add = (path: string, file: Checked): void => {
    try {
      const asset = assetOf(path);
      const same = files.find((f) => f.asset === asset);
      if (same && (same.dev !== file.dev || same.ino !== file.ino))
        refused.push(`${path} and ${same.path} would have the same name among the job's files (${asset}); rename one`);
      if (!same) files.push({ asset, path: file.real, sizeBytes: file.size, dev: file.dev, ino: file.ino });
      names.add(asset);
    } catch (err) {
      refused.push(`${path} has a name that not every teammate's system can store (${(err as Error).message}); rename it`);
    }
  };
  add(scene, { real: sceneReal, size: sceneInfo?.size ?? 0, dev: sceneInfo?.dev ?? 0, ino: sceneInfo?.ino ?? 0 });
  for (const [path, file] of [...inside, ...outside]) add(path, file);

  const remaps: BlenderDependency[] = [];
  for (const { dep, files: shipped } of needed) {
    const stored = dep.storedPath;
    const relativeStored = stored.startsWith('//');
    const placed = !dep.folder || within(root, dep.absolutePath) || approvedFolder(dep, outside);
    // A `//` path to a place under the root is where the worker's copy already is; what only
    // Blender's own list names is no datablock a worker could repoint (and its path is absolute).
    if (!stored || dep.optional || (relativeStored && within(root, dep.absolutePath)) || shipped.length === 0 || !placed) continue;
    // An absolute path means the same file from any library, so the worker repoints it like a
    // local one; a `//` path leading out of the project is relative to that library alone.
    if (dep.viaLibrary !== null && (relativeStored || !REPOINTABLE_IN_LIBRARY.has(dep.kind))) {
      refused.push(
        `The linked library ${dep.viaLibrary} names ${stored} ${relativeStored ? 'outside the project' : 'by an absolute path'}; a teammate cannot be pointed at it inside a library: ` +
          `make that library's paths relative (File > External Data > Make Paths Relative) and keep its files in the project`,
      );
      continue;
    }
    const where = dep.folder ? dep.absolutePath : shipped[0]!;
    try {
      remaps.push({ asset: assetOf(where), originalPath: stored });
    } catch {
      /* refused above with the file's name */
    }
  }
  return { files, remaps, refused, missing: [...new Set(missing)].sort(), warnings };
}

/** An approved cache folder outside the root: every file of it was approved. */
function approvedFolder(dep: Dependency, outside: ReadonlyMap<string, unknown>): boolean {
  return dep.files.length > 0 && dep.files.every((f) => outside.has(normalize(f)));
}

/**
 * The worker's remap table for Blender's remap_paths: each stored path the lease names -> the
 * copy in the job folder. Keys stay as the .blend stores them; Blender resolves them itself.
 */
export function remapTable(jobDir: string, dependencies: readonly BlenderDependency[]): Record<string, string> {
  const table: Record<string, string> = {};
  for (const dep of dependencies) table[dep.originalPath] = join(jobDir, checkAssetName(dep.asset));
  return table;
}
