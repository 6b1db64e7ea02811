// Control groups on a made-up /proc and /sys/fs/cgroup: where a launch's groups go under v1 (a
// hierarchy per controller) and v2 (one, with delegation), what limits are written, and what the
// kernel's counters then say.

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CgroupLimits } from '../../../../../electron/agent/sandbox/cgroup-limits.js';

let root: string;
const put = (path: string, text: string): void => {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), text);
};

beforeEach(() => {
  root = mkdtempSync(join(os.tmpdir(), 'troupe-cgroups-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('cgroup v1', () => {
  const limits = (): CgroupLimits => {
    put('proc/cgroup', '4:memory:/agent.scope\n8:pids:/\n0::/\n');
    mkdirSync(join(root, 'memory/agent.scope'), { recursive: true });
    mkdirSync(join(root, 'pids'), { recursive: true });
    return new CgroupLimits(join(root, 'proc'), [
      { root: '/', point: join(root, 'memory'), v2: false, controllers: new Set(['rw', 'memory']) },
      { root: '/', point: join(root, 'pids'), v2: false, controllers: new Set(['rw', 'pids']) },
    ]);
  };

  it("makes a group under the agent's own in each hierarchy, with both limits", () => {
    const made = limits().create('Blender', 512 * 2 ** 20, 64)!;
    expect(made.kinds).toEqual(['memory', 'pids']);
    const [memory, pids] = made.group.procsFiles.map((f) => dirname(f));
    expect(dirname(memory!)).toBe(join(root, 'memory/agent.scope'));
    expect(dirname(pids!)).toBe(join(root, 'pids'));
    expect(readFileSync(join(memory!, 'memory.limit_in_bytes'), 'utf8')).toBe(String(512 * 2 ** 20));
    expect(readFileSync(join(pids!, 'pids.max'), 'utf8')).toBe('64');
    expect(made.group.stopReason()).toBeNull();
  });

  it("says which bound stopped the process, from the kernel's counters", () => {
    const made = limits().create('Blender', 512 * 2 ** 20, 64)!;
    const [memory, pids] = made.group.procsFiles.map((f) => dirname(f));
    writeFileSync(join(pids!, 'pids.events'), 'max 3\n');
    expect(made.group.stopReason()).toBe('it tried to start more than 64 processes and threads');
    writeFileSync(join(memory!, 'memory.oom_control'), 'oom_kill_disable 0\nunder_oom 0\noom_kill 1\n');
    expect(made.group.stopReason()).toBe('it needed more than the 512 MiB of memory it may use');
  });
});

describe('cgroup v2', () => {
  const limits = (delegated: string): CgroupLimits => {
    put('proc/cgroup', '0::/user.slice/troupe.service\n');
    put('unified/user.slice/troupe.service/cgroup.subtree_control', delegated);
    return new CgroupLimits(join(root, 'proc'), [{ root: '/', point: join(root, 'unified'), v2: true, controllers: new Set() }]);
  };

  it('one group holds both limits where the owner delegated them', () => {
    const made = limits('cpu memory pids\n').create('the built-in renderer', 2 ** 30, 256)!;
    expect(made.kinds).toEqual(['memory', 'pids']);
    expect(made.group.procsFiles).toHaveLength(1);
    const dir = dirname(made.group.procsFiles[0]!);
    expect(dirname(dir)).toBe(join(root, 'unified/user.slice/troupe.service'));
    expect(readFileSync(join(dir, 'memory.max'), 'utf8')).toBe(String(2 ** 30));
    expect(readFileSync(join(dir, 'pids.max'), 'utf8')).toBe('256');
    writeFileSync(join(dir, 'memory.events'), 'low 0\nhigh 0\nmax 9\noom 1\noom_kill 1\n');
    expect(made.group.stopReason()).toMatch(/more than the 1024 MiB of memory/);
  });

  it('nothing where the controllers are not delegated: the engine keeps its watchdog', () => {
    expect(limits('cpu\n').create('Blender', 2 ** 30, 256)).toBeNull();
  });
});
