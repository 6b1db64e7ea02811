// Owns the hard limits a sandboxed process gets from Linux control groups: memory (the kernel stops
// it past its bound, however fast it grows; a watchdog that polls can be outrun) and processes (a
// fork bomb stops at its count). One group per launch, under the agent's own group, so the limits
// hold for everything the process starts and go with it.
//
// Where the groups live: cgroup v1 (a hierarchy per controller, `memory/` and `pids/`) or v2 (one
// hierarchy; a child group has the controllers its parent delegates in cgroup.subtree_control).
// Under v2 the agent's own group usually holds the agent itself, and a group with processes cannot
// delegate controllers to children (the kernel's "no internal processes" rule), so there the limits
// hold only where the owner delegated them (systemd's Delegate=yes on the agent's unit). Where no
// group can be made, `create` says so and the engine keeps its own watchdog.

import { existsSync, mkdirSync, readFileSync, readdirSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface LimitGroup {
  /** Files to write a pid into (cgroup.procs) so that it and every child it starts is held. */
  procsFiles: string[];
  /** Why the kernel stopped a member: its memory bound or its process count, or null. */
  stopReason(): string | null;
  dispose(): void;
}

interface Mount {
  root: string; // the mount's root within the hierarchy
  point: string; // where it is mounted
  v2: boolean;
  controllers: Set<string>;
}

let seq = 0;

export class CgroupLimits {
  private readonly mounts: Mount[];

  /** `proc` and `fs` are the places to read: tests point them at a made-up tree. */
  constructor(
    private readonly procSelf = '/proc/self',
    mounts?: Mount[],
  ) {
    this.mounts = mounts ?? readMounts(join(procSelf, 'mountinfo'));
  }

  /** Removes groups left by agents that are gone (killed before their engines' groups emptied). */
  sweepStale(): void {
    const own = readOwnGroups(join(this.procSelf, 'cgroup'));
    for (const mount of this.mounts) {
      const path = own.get(mount.v2 ? '' : [...mount.controllers].find((c) => c === 'memory' || c === 'pids') ?? '\0');
      if (path === undefined) continue;
      const base = join(mount.point, relativeTo(mount.root, path));
      let names: string[];
      try {
        names = readdirSync(base);
      } catch {
        continue;
      }
      for (const name of names) {
        const pid = /^troupe-(\d+)-/.exec(name)?.[1];
        if (pid && Number(pid) !== process.pid && !existsSync(`/proc/${pid}`)) removeWhenEmpty([join(base, name)], 0);
      }
    }
  }

  /** What this machine's groups can hold here: 'memory' and 'pids', either, or neither. */
  available(): string[] {
    const probe = this.create('probe', 1 << 30, 1 << 16);
    if (!probe) return [];
    const kinds = probe.kinds;
    probe.group.dispose();
    return kinds;
  }

  /** A group for one launch with both limits, or null if neither can be set here. */
  create(label: string, memoryBytes: number, maxProcesses: number): { group: LimitGroup; kinds: string[] } | null {
    const own = readOwnGroups(join(this.procSelf, 'cgroup'));
    const name = `troupe-${process.pid}-${++seq}-${label.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}`;
    const made: { dir: string; kind: 'memory' | 'pids'; v2: boolean }[] = [];
    const tryMake = (kind: 'memory' | 'pids', write: (dir: string, v2: boolean) => void): void => {
      // v1 has a hierarchy per controller; v2 one for all.
      const target = this.mounts.find((m) => !m.v2 && m.controllers.has(kind)) ?? this.mounts.find((m) => m.v2);
      const ownPath = target && own.get(target.v2 ? '' : kind);
      if (!target || ownPath === undefined) return;
      const base = join(target.point, relativeTo(target.root, ownPath));
      const dir = join(base, name);
      try {
        // Under v2 a child holds a controller only if its parent delegates it.
        if (target.v2 && !readFileSync(join(base, 'cgroup.subtree_control'), 'utf8').split(/\s+/).includes(kind)) return;
        if (!existsSync(dir)) mkdirSync(dir);
        write(dir, target.v2);
        made.push({ dir, kind, v2: target.v2 });
      } catch {
        /* not ours to make, or no such controller: this limit stays with the watchdog */
      }
    };
    tryMake('memory', (dir, v2) => {
      if (v2) {
        writeFileSync(join(dir, 'memory.max'), String(memoryBytes));
        writeFileSync(join(dir, 'memory.swap.max'), '0');
      } else {
        writeFileSync(join(dir, 'memory.limit_in_bytes'), String(memoryBytes));
        try {
          writeFileSync(join(dir, 'memory.memsw.limit_in_bytes'), String(memoryBytes));
        } catch {
          /* swap accounting off: the memory bound alone */
        }
      }
    });
    tryMake('pids', (dir) => writeFileSync(join(dir, 'pids.max'), String(maxProcesses)));
    if (made.length === 0) return null;
    const dirs = [...new Set(made.map((m) => m.dir))];
    const memoryDir = made.find((m) => m.kind === 'memory');
    const pidsDir = made.find((m) => m.kind === 'pids');
    const group: LimitGroup = {
      procsFiles: dirs.map((d) => join(d, 'cgroup.procs')),
      stopReason: () => {
        if (memoryDir && oomKills(memoryDir.dir, memoryDir.v2) > 0) return `it needed more than the ${formatMiB(memoryBytes)} of memory it may use`;
        if (pidsDir && pidLimitHit(pidsDir.dir)) return `it tried to start more than ${maxProcesses} processes and threads`;
        return null;
      },
      dispose: () => removeWhenEmpty(dirs),
    };
    return { group, kinds: [...new Set(made.map((m) => m.kind))] };
  }
}

/**
 * Removes the groups once empty. The last members of a sandbox's pid namespace are reaped a moment
 * after its launcher exits, so a busy group is tried again for a while; what is left then (the
 * agent killed meanwhile) the next agent's sweepStale removes.
 */
function removeWhenEmpty(dirs: string[], triesLeft = 20): void {
  const left = dirs.filter((dir) => {
    try {
      rmdirSync(dir);
      return false;
    } catch (err) {
      return (err as NodeJS.ErrnoException).code === 'EBUSY';
    }
  });
  if (left.length && triesLeft > 0) setTimeout(() => removeWhenEmpty(left, triesLeft - 1), 500).unref();
}

function formatMiB(bytes: number): string {
  return `${Math.round(bytes / (1 << 20))} MiB`;
}

function oomKills(dir: string, v2: boolean): number {
  try {
    if (v2) return Number(/^oom_kill (\d+)/m.exec(readFileSync(join(dir, 'memory.events'), 'utf8'))?.[1] ?? 0);
    // v1: memory.oom_control counts kills on kernels since 4.13; failcnt only says the bound was met.
    const control = readFileSync(join(dir, 'memory.oom_control'), 'utf8');
    const kills = /^oom_kill (\d+)/m.exec(control);
    if (kills) return Number(kills[1]);
    return Number(readFileSync(join(dir, 'memory.failcnt'), 'utf8').trim());
  } catch {
    return 0;
  }
}

function pidLimitHit(dir: string): boolean {
  try {
    // v1 and v2 alike count refused forks in pids.events (kernels since 4.x).
    return Number(/^max (\d+)/m.exec(readFileSync(join(dir, 'pids.events'), 'utf8'))?.[1] ?? 0) > 0;
  } catch {
    return false;
  }
}

/** The path of `path` under a mount whose root is `root` ("/" mostly; a container shows its own). */
function relativeTo(root: string, path: string): string {
  if (root === '/' || root === '') return path;
  return path.startsWith(root) ? path.slice(root.length) || '/' : path;
}

/** controller ('' for v2) -> this process's group path, from /proc/self/cgroup. */
function readOwnGroups(file: string): Map<string, string> {
  const own = new Map<string, string>();
  try {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      const m = /^\d+:([^:]*):(.*)$/.exec(line);
      if (!m) continue;
      for (const c of m[1]!.split(',')) own.set(c, m[2]!);
    }
  } catch {
    /* no /proc: no groups */
  }
  return own;
}

function readMounts(file: string): Mount[] {
  const mounts: Mount[] = [];
  try {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      const [left, right] = line.split(' - ');
      if (!left || !right) continue;
      const f = left.split(' ');
      const [fsType, , options = ''] = right.split(' ');
      if (fsType === 'cgroup2') mounts.push({ root: f[3]!, point: unescape(f[4]!), v2: true, controllers: new Set() });
      else if (fsType === 'cgroup') mounts.push({ root: f[3]!, point: unescape(f[4]!), v2: false, controllers: new Set(options.split(',')) });
    }
  } catch {
    /* not Linux */
  }
  return mounts;
}

function unescape(path: string): string {
  return path.replace(/\\(\d{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}
