// The engine seam, read as a newcomer adding an engine would: which files outside an engine's own
// folder know it. The goal (issue 19): none but the registry's one line. An engine may build on
// another's public files (physics renders its bakes with the built-in renderer); nothing else may.

import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { registeredEngines } from '../../../../../electron/agent/engines/registered-engines.js';

const REPO = join(import.meta.dirname, '../../../../..');
const ENGINES = 'electron/agent/engines';
/** The one file that may name every engine: the registry's list. */
const REGISTRY = `${ENGINES}/registered-engines.ts`;
/** Engines built on another engine, by design: a physics bake rendered by the built-in renderer. */
const BUILDS_ON: Record<string, string[]> = { physics: ['builtin-render'] };

function sources(dir: string): string[] {
  return readdirSync(join(REPO, dir)).flatMap((name) => {
    const path = `${dir}/${name}`;
    if (statSync(join(REPO, path)).isDirectory()) return sources(path);
    return /\.(ts|tsx)$/.test(name) ? [path] : [];
  });
}

/** Each engine's folder, found by the id its *-wire.ts declares. */
function folderOf(id: string): string {
  for (const folder of readdirSync(join(REPO, ENGINES))) {
    if (!statSync(join(REPO, ENGINES, folder)).isDirectory()) continue;
    const wires = sources(`${ENGINES}/${folder}`).filter((f) => f.endsWith('-wire.ts'));
    if (wires.some((w) => readFileSync(join(REPO, w), 'utf8').includes(`= '${id}';`))) return `${ENGINES}/${folder}`;
  }
  throw new Error(`no folder under ${ENGINES} declares engine ${id} in a *-wire.ts`);
}

/** The files that import from `folder` or write `id` as a string, outside `folder`. */
function filesThatKnow(id: string, folder: string, files: string[]): string[] {
  return files.filter((file) => {
    if (file.startsWith(`${folder}/`)) return false;
    const text = readFileSync(join(REPO, file), 'utf8');
    if (new RegExp(`['"\`]${id}['"\`]`).test(text)) return true;
    for (const m of text.matchAll(/from '(\.[^']+)'/g)) {
      const target = relative(REPO, resolve(dirname(join(REPO, file)), m[1]!));
      if (target.startsWith(`${folder}/`)) return true;
    }
    return false;
  });
}

const code = ['shared', 'electron', 'renderer/src'].flatMap(sources);

describe('the engine seam', () => {
  const ids = registeredEngines().ids();

  it("each engine of this build (the built-in renderer first: requests without an engine are its) has a folder of its own", () => {
    expect(ids[0]).toBe('builtin-render');
    const folders = ids.map(folderOf);
    for (const folder of folders) expect(folder).toMatch(new RegExp(`^${ENGINES}/[a-z-]+$`));
    expect(new Set(folders).size).toBe(ids.length);
  });

  for (const id of ids) {
    const builtOn = ids.filter((other) => other !== id && BUILDS_ON[other]?.includes(id));
    it(`no code outside its folder knows ${id} but the registry${builtOn.length ? ` and ${builtOn.join(', ')}, built on it` : ''}`, () => {
      const folder = folderOf(id);
      const users = builtOn.map(folderOf);
      const knowing = filesThatKnow(id, folder, code).filter((f) => !users.some((u) => f.startsWith(`${u}/`)));
      console.log(`${id}: files outside ${folder} that know it: ${knowing.join(', ')}`);
      expect(knowing).toEqual([REGISTRY]);
    });
  }
});

describe('glTF reading', () => {
  it("has a folder of its own that the renderer and physics both read with; physics reaches none of the renderer's reading or tracing", () => {
    const importsOf = (folder: string): string[] =>
      sources(folder).flatMap((file) =>
        [...readFileSync(join(REPO, file), 'utf8').matchAll(/from '(\.[^']+)'/g)].map((m) => relative(REPO, resolve(dirname(join(REPO, file)), m[1]!))),
      );
    const physics = importsOf(`${ENGINES}/physics`);
    const renderer = importsOf(`${ENGINES}/builtin-render`);
    expect(physics.some((t) => t.startsWith(`${ENGINES}/gltf/`))).toBe(true);
    expect(renderer.some((t) => t.startsWith(`${ENGINES}/gltf/`))).toBe(true);
    const fromRenderer = [...new Set(physics.filter((t) => t.startsWith(`${ENGINES}/builtin-render/`)))].sort();
    console.log(`physics imports of the renderer: ${fromRenderer.join(', ')}`);
    // The bake-then-render composition (the renderer's lease and frame limits), its memory limits and a sample's sphere.
    expect(fromRenderer.every((t) => !/\/(reading|worker)\//.test(t))).toBe(true);
    expect(importsOf(`${ENGINES}/gltf`).every((t) => !t.startsWith(`${ENGINES}/builtin-render/`) && !t.startsWith(`${ENGINES}/physics/`))).toBe(true);
  });
});
