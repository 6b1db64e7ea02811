// Which of the submitter's files a .blend may send: real files, links and a FIFO in a temporary
// folder, with the report Blender would give (the Blender side is tested in blender-files).

import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectFiles, remapTable } from '../../../../../../electron/agent/engines/blender/blender-dependencies.js';
import type { Dependency, DependencyReport } from '../../../../../../electron/agent/engines/blender/blender-session-protocol.js';
import { BlobStore } from '../../../../../../electron/agent/storage/blob-store.js';

let root: string;
const at = (...parts: string[]) => join(root, ...parts);
const write = (path: string, text = 'x') => {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
};

function dep(storedPath: string, absolutePath: string, extra: Partial<Dependency> = {}): Dependency {
  return { kind: 'image', name: 'img', viaLibrary: null, storedPath, absolutePath, folder: false, files: [absolutePath], missing: [], optional: false, ...extra };
}
const report = (...dependencies: Dependency[]): DependencyReport => ({ blendFile: at('project', 'shot', 'a.blend'), dependencies, missing: [], warnings: [] });
const scenePath = () => at('project', 'shot', 'a.blend');

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'troupe-deps-'));
  write(at('project', 'shot', 'a.blend'), 'BLENDER');
  write(at('project', 'shot', 'sfx', 'hit.wav'));
  write(at('project', 'shot', 'tex', 'wood.png'), 'wood');
  write(at('project', 'libs', 'lib.blend'), 'lib');
  write(at('project', 'shot', '.secret', 'key'), 'key');
  write(at('home', 'notes.txt'), 'notes');
  write(at('data', 'device-key.pem'), 'device');
  symlinkSync(at('home'), at('project', 'shot', 'linked'));
  symlinkSync(at('project', 'shot', 'tex', 'wood.png'), at('project', 'shot', 'alias.png'));
  symlinkSync(at('project', 'shot', '.secret'), at('project', 'shot', 'vendor'));
  execFileSync('mkfifo', [at('project', 'shot', 'pipe.png')]);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('projectFiles', () => {
  it('names files by their place under the project, and remaps only what a worker cannot answer unchanged', async () => {
    const r = await projectFiles(
      report(dep('//tex/wood.png', at('project', 'shot', 'tex', 'wood.png')), dep(at('project', 'shot', 'tex', 'wood.png'), at('project', 'shot', 'tex', 'wood.png'))),
      { scenePath: scenePath() },
    );
    expect(r.refused).toEqual([]);
    expect(r.files.map((f) => [f.asset, f.sizeBytes])).toEqual([['a.blend', 7], ['tex/wood.png', 4]]);
    expect(r.remaps).toEqual([{ asset: 'tex/wood.png', originalPath: at('project', 'shot', 'tex', 'wood.png') }]);
  });

  it('refuses, each by name, what is outside the project, hidden, a system file, a FIFO, or reached through a link out', async () => {
    const r = await projectFiles(
      report(
        dep('//../../home/notes.txt', at('home', 'notes.txt')),
        dep('//.secret/key', at('project', 'shot', '.secret', 'key')),
        dep('/proc/self/environ', '/proc/self/environ'),
        dep('/dev/zero', '/dev/zero'),
        dep('//pipe.png', at('project', 'shot', 'pipe.png')),
        dep('//linked/notes.txt', at('project', 'shot', 'linked', 'notes.txt')),
      ),
      { scenePath: scenePath() },
    );
    expect(r.files.map((f) => f.asset)).toEqual(['a.blend']);
    expect(r.refused).toHaveLength(6);
    expect(r.refused[0]).toMatch(/home\/notes\.txt is outside the project folder .*approve this file/);
    expect(r.refused[1]).toMatch(/\.secret\/key is a hidden file/);
    expect(r.refused[2]).toMatch(/\/proc\/self\/environ is a system file/);
    expect(r.refused[3]).toMatch(/\/dev\/zero is a system file/);
    expect(r.refused[4]).toMatch(/pipe\.png is not a regular file/);
    expect(r.refused[5]).toMatch(/linked\/notes\.txt is outside the project folder .*it is a link to/);
  });

  it("never sends Troupe's data folder, approved or not; a link inside the project to a file inside it goes", async () => {
    const r = await projectFiles(report(dep(at('data', 'device-key.pem'), at('data', 'device-key.pem')), dep('//alias.png', at('project', 'shot', 'alias.png'))), {
      scenePath: scenePath(),
      projectRoot: root,
      approved: [at('data', 'device-key.pem')],
      privateFolders: [at('data')],
    });
    expect(r.refused).toEqual([expect.stringMatching(/device-key\.pem is in Troupe's own data folder/)]);
    expect(r.files.map((f) => f.asset)).toEqual(['project/shot/a.blend', 'project/shot/alias.png']);
  });

  it('an approved file outside the project goes under _outside/, and the .blend\'s path to it is remapped', async () => {
    const r = await projectFiles(report(dep('//../../home/notes.txt', at('home', 'notes.txt'))), { scenePath: scenePath(), approved: [at('home', 'notes.txt')] });
    expect(r.refused).toEqual([]);
    expect(r.files.map((f) => f.asset)).toEqual(['a.blend', '_outside/notes.txt']);
    expect(r.remaps).toEqual([{ asset: '_outside/notes.txt', originalPath: '//../../home/notes.txt' }]);
  });

  it("a wider project folder keeps libraries relative; a linked library's image named by an absolute path is remapped, any other file refused in words", async () => {
    const r = await projectFiles(
      report(
        dep('//../libs/lib.blend', at('project', 'libs', 'lib.blend'), { kind: 'library' }),
        dep(at('project', 'shot', 'tex', 'wood.png'), at('project', 'shot', 'tex', 'wood.png'), { viaLibrary: 'lib.blend' }),
        dep(at('project', 'shot', 'sfx', 'hit.wav'), at('project', 'shot', 'sfx', 'hit.wav'), { kind: 'sound', viaLibrary: 'lib.blend' }),
      ),
      { scenePath: scenePath(), projectRoot: at('project') },
    );
    expect(r.files.map((f) => f.asset)).toEqual(['shot/a.blend', 'libs/lib.blend', 'shot/tex/wood.png', 'shot/sfx/hit.wav']);
    expect(r.remaps).toEqual([{ asset: 'shot/tex/wood.png', originalPath: at('project', 'shot', 'tex', 'wood.png') }]);
    expect(r.refused).toEqual([expect.stringMatching(/linked library lib\.blend names .*hit\.wav by an absolute path.*Make Paths Relative/)]);
  });

  it('missing files are listed (optional ones only warned of); Blender-only extras outside the project are not sent, with a warning', async () => {
    const r = await projectFiles(
      report(
        dep('//tex/gone.png', at('project', 'shot', 'tex', 'gone.png'), { files: [], missing: [at('project', 'shot', 'tex', 'gone.png')] }),
        dep('//../../home/notes.txt', at('home', 'notes.txt'), { kind: 'other', optional: true }),
      ),
      { scenePath: scenePath() },
    );
    expect(r.missing).toEqual([at('project', 'shot', 'tex', 'gone.png')]);
    expect(r.refused).toEqual([]);
    expect(r.warnings.join(' ')).toMatch(/notes\.txt is outside the project folder.*it was not sent/);
    expect(r.files.map((f) => f.asset)).toEqual(['a.blend']);
  });
});

describe('projectFiles, as a review attacked it', () => {
  it('a folder in the project that is a link to a hidden one: refused as hidden', async () => {
    const r = await projectFiles(report(dep('//vendor/key', at('project', 'shot', 'vendor', 'key'))), { scenePath: scenePath() });
    expect(r.refused).toEqual([expect.stringMatching(/vendor\/key is a hidden file/)]);
  });

  it("what only Blender's own list names gets no remap entry (its path is absolute, and no datablock could take it)", async () => {
    const r = await projectFiles(report(dep(at('project', 'shot', 'tex', 'wood.png'), at('project', 'shot', 'tex', 'wood.png'), { kind: 'other', optional: true })), { scenePath: scenePath() });
    expect(r.files.map((f) => f.asset)).toEqual(['a.blend', 'tex/wood.png']);
    expect(r.remaps).toEqual([]);
  });

  it('a folder swapped for a link after the check: the file read must be the file checked', async () => {
    write(at('project', 'shot', 'swap', 'key'), 'decoy'); // as large as the secret
    const checked = await projectFiles(report(dep('//swap/key', at('project', 'shot', 'swap', 'key'))), { scenePath: scenePath() });
    const file = checked.files.find((f) => f.asset === 'swap/key')!;
    renameSync(at('project', 'shot', 'swap'), at('project', 'shot', 'swap-decoy')); // moved aside, as an attacker would (a deleted file's inode may be reused)
    write(at('home', 'secret', 'key'), 'SECRE');
    symlinkSync(at('home', 'secret'), at('project', 'shot', 'swap'));
    const blobs = new BlobStore(at('blobs'));
    await expect(blobs.putFile(file.path, file.sizeBytes, file)).rejects.toThrow(/was replaced while the job was being made/);
  });
});

describe('remapTable', () => {
  it('keys stay as the .blend stores them; values are the copies in the job folder', () => {
    expect(remapTable('/jobs/j1', [{ asset: 'tex/a.png', originalPath: '/home/artist/tex/a.png' }])).toEqual({ '/home/artist/tex/a.png': '/jobs/j1/tex/a.png' });
  });
});
