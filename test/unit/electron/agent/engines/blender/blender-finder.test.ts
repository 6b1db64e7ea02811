import { chmodSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BlenderFinder, VERSION_ARGS } from '../../../../../../electron/agent/engines/blender/blender-finder.js';
import { installCandidates, pathCandidates } from '../../../../../../electron/agent/engines/blender/blender-install-paths.js';
import { majorMinor, parseBlenderVersion } from '../../../../../../electron/agent/engines/blender/blender-version.js';

const dir = mkdtempSync(join(tmpdir(), 'troupe-finder-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const executable = (name: string): string => {
  const path = join(dir, name);
  writeFileSync(path, '#!/bin/sh\n');
  chmodSync(path, 0o755);
  return path;
};

describe('Blender version', () => {
  it('reads the first line Blender prints, with or without a patch number or suffix', () => {
    expect(parseBlenderVersion('Blender 3.4.1\n\tbuild date: 2023-01-01\n')).toEqual({
      major: 3,
      minor: 4,
      patch: 1,
      text: 'Blender 3.4.1',
    });
    expect(parseBlenderVersion('Read prefs\nBlender 4.2.0 LTS\n')).toMatchObject({ major: 4, minor: 2, patch: 0 });
    expect(parseBlenderVersion('Blender 2.79\n')).toMatchObject({ major: 2, minor: 79, patch: 0 });
    expect(parseBlenderVersion('bash: blender: not found')).toBeNull();
    expect(majorMinor(parseBlenderVersion('Blender 3.6.5')!)).toBe('3.6');
  });
});

describe('where Blender is looked for', () => {
  it('PATH in order, with the OS executable name', () => {
    expect(pathCandidates({ PATH: '/opt/a:/usr/bin' }, 'linux')).toEqual(['/opt/a/blender', '/usr/bin/blender']);
    expect(pathCandidates({ Path: 'C:\\Tools;D:\\Blender' }, 'win32')).toEqual(['C:\\Tools\\blender.exe', 'D:\\Blender\\blender.exe']);
  });

  it('the usual install folders: the macOS bundle, Windows per-version folders newest first, Linux packages', () => {
    expect(installCandidates({ HOME: '/Users/ann' }, 'darwin')).toEqual([
      '/Applications/Blender.app/Contents/MacOS/Blender',
      '/Users/ann/Applications/Blender.app/Contents/MacOS/Blender',
    ]);
    const listDir = (folder: string): string[] =>
      folder === 'C:\\Program Files\\Blender Foundation' ? ['Blender 3.6', 'Blender 4.2', 'Blender 4.10', 'Other'] : [];
    expect(installCandidates({ ProgramFiles: 'C:\\Program Files' }, 'win32', listDir)).toEqual([
      'C:\\Program Files\\Blender Foundation\\Blender 4.10\\blender.exe',
      'C:\\Program Files\\Blender Foundation\\Blender 4.2\\blender.exe',
      'C:\\Program Files\\Blender Foundation\\Blender 3.6\\blender.exe',
    ]);
    expect(installCandidates({}, 'linux')[0]).toBe('/usr/bin/blender');
  });
});

describe('BlenderFinder', () => {
  it('takes the configured path first, skips what is not Blender, and asks each executable once until it changes', async () => {
    const notBlender = executable('not-blender');
    const blender = executable('blender');
    const asked: string[] = [];
    const finder = new BlenderFinder({
      configuredPath: notBlender,
      env: { PATH: dir },
      platform: 'linux',
      run: async (path, args) => {
        asked.push(path);
        expect(args).toEqual(VERSION_ARGS);
        if (path === notBlender) throw new Error('exit code 1');
        return 'Blender 3.4.1\n';
      },
    });
    expect(finder.candidates().slice(0, 2)).toEqual([notBlender, blender]);
    expect(await finder.find()).toEqual({ path: blender, version: { major: 3, minor: 4, patch: 1, text: 'Blender 3.4.1' } });
    finder.forget();
    await finder.find();
    expect(asked).toEqual([notBlender, blender]);
    utimesSync(blender, new Date(), new Date(Date.now() + 60_000)); // upgraded in place
    finder.forget();
    await finder.find();
    expect(asked).toEqual([notBlender, blender, blender]);
  });

  it('finds nothing when only a configured path counts and it is missing', async () => {
    const finder = new BlenderFinder({ configuredPath: join(dir, 'nowhere'), configuredOnly: true, run: async () => 'Blender 3.4.1' });
    expect(await finder.find()).toBeNull();
  });
});
