import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findElectronBinary } from '../../../../electron/main/electron-binary-path.js';

let dir: string;
let pkg: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'troupe-electron-'));
  pkg = join(dir, 'node_modules', 'electron');
  await mkdir(join(dir, 'app', 'deep'), { recursive: true });
  await mkdir(join(pkg, 'dist'), { recursive: true });
  await writeFile(join(pkg, 'package.json'), '{}');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('findElectronBinary', () => {
  it('says why when the binary was never downloaded', () => {
    expect(findElectronBinary(join(dir, 'app', 'deep'), {})).toEqual({ found: false, reason: expect.stringMatching(/path\.txt is missing/) });
    expect(findElectronBinary('/', {})).toMatchObject({ found: false, reason: expect.stringMatching(/not installed/) });
  });

  it('finds the binary path.txt names under dist/, searching upwards', async () => {
    await writeFile(join(pkg, 'path.txt'), 'electron');
    expect(findElectronBinary(join(dir, 'app', 'deep'), {})).toMatchObject({ found: false, reason: expect.stringMatching(/is missing/) });
    await writeFile(join(pkg, 'dist', 'electron'), '');
    expect(findElectronBinary(join(dir, 'app', 'deep'), {})).toEqual({ found: true, path: join(pkg, 'dist', 'electron') });
  });

  it('honours ELECTRON_OVERRIDE_DIST_PATH like the package does', async () => {
    const override = join(dir, 'custom');
    await mkdir(override, { recursive: true });
    await writeFile(join(override, 'electron'), '');
    expect(findElectronBinary(dir, { ELECTRON_OVERRIDE_DIST_PATH: override })).toEqual({ found: true, path: join(override, 'electron') });
  });

  it('reports this machine truthfully (no binary can be downloaded here)', () => {
    const here = findElectronBinary(process.cwd());
    expect(typeof here.found).toBe('boolean');
  });
});
