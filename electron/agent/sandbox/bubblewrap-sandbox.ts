// Owns the Linux sandbox: bubblewrap (Debian's `bubblewrap`, the sandbox Flatpak uses) builds a
// private view of the machine for each engine process, control groups bound its memory and process
// count, and rlimits bound each file it writes.
//
//   /bin/sh -c JOIN ... -- [nice -n 10] prlimit --fsize --core -- bwrap [view] -- COMMAND ARGS
//     |                                   |                         |
//     |                                   |                         +- new namespaces: no network (an empty one),
//     |                                   |                            own pids, ipc, uts, cgroup; no capabilities;
//     |                                   |                            dies with the agent
//     |                                   +- the largest file it may write; no core dumps
//     +- joins its limit groups first, itself, then execs: whatever it starts is held from the start
//
// The view: the system's programs and libraries read-only (/usr, /bin, /lib*, and from /etc only
// what programs need to start), the named readable paths read-only, the named writable ones
// read-write, a private /tmp of bounded size, its own /proc and a minimal /dev. Nothing else of
// the machine exists inside: not the owner's home, not the agent's data folder, not /run's sockets.

import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { TroupeError } from '../../../shared/errors.js';
import { CgroupLimits, type LimitGroup } from './cgroup-limits.js';
import { containedEnv, type Containment, type Sandbox, type SandboxLaunch, type SandboxPolicy } from './sandbox.js';

/** What of /etc a program may read: the loader's cache, fonts, time zones, users' names. Not shadow, ssh or ssl keys. */
const ETC_READABLE = [
  '/etc/ld.so.cache',
  '/etc/ld.so.conf',
  '/etc/ld.so.conf.d',
  '/etc/alternatives',
  '/etc/fonts',
  '/etc/localtime',
  '/etc/passwd',
  '/etc/group',
  '/etc/nsswitch.conf',
  '/etc/mime.types',
];
const SYSTEM_READABLE = ['/usr', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32', '/opt'];
/** Facts some programs read about the CPU (Blender counts its cores there); nothing to write. */
const SYS_READABLE = ['/sys/devices/system/cpu'];

/** Where bubblewrap and prlimit are, if this machine has them. */
export function findTool(name: string, path = process.env.PATH ?? ''): string | null {
  for (const dir of [...path.split(delimiter), '/usr/bin', '/bin', '/usr/sbin', '/sbin']) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  return null;
}

export class BubblewrapSandbox implements Sandbox {
  readonly containment: Containment;

  constructor(
    private readonly bwrap: string,
    private readonly prlimit: string | null,
    private readonly limits: CgroupLimits = new CgroupLimits(),
    private readonly asRoot = process.getuid?.() === 0,
    private readonly nice = findTool('nice'),
  ) {
    this.limits.sweepStale();
    const groups = this.limits.available();
    this.containment = {
      mechanism: `bubblewrap${groups.length ? ` and control groups (${groups.join(', ')})` : ''}`,
      contained: [
        'no network',
        'the system read-only',
        "nothing of the owner's home or Troupe's data folder visible",
        "only the task's folders writable",
        ...(groups.includes('memory') ? ['memory bounded by the kernel'] : []),
        ...(groups.includes('pids') ? ['process count bounded by the kernel'] : []),
        ...(prlimit ? ['file size bounded'] : []),
      ],
      notContained: [
        ...(groups.includes('memory') ? [] : ['memory is bounded by a watchdog that polls (a fast enough allocation can outrun it)']),
        ...(groups.includes('pids') ? [] : ['process count is not bounded (no control group may be made here)']),
        ...(prlimit ? [] : ['file size is not bounded (prlimit is missing)']),
      ],
    };
  }

  launch(command: string, args: string[], policy: SandboxPolicy): SandboxLaunch {
    for (const path of [...policy.readable, ...policy.writable]) {
      if (!path.startsWith('/')) throw new TroupeError('internal', `the sandbox for ${policy.label} was given a relative path: ${path}`);
    }
    const made = this.limits.create(policy.label, policy.memoryBytes, policy.maxProcesses);
    const group: LimitGroup | null = made?.group ?? null;
    const view = [
      '--unshare-all', // user (where not root), ipc, pid, net, uts, cgroup
      '--die-with-parent',
      '--new-session', // no writing into the agent's terminal (TIOCSTI)
      ...(this.asRoot ? ['--cap-drop', 'ALL'] : []),
      '--hostname', 'troupe-engine',
      ...SYSTEM_READABLE.flatMap((p) => ['--ro-bind-try', p, p]),
      ...ETC_READABLE.flatMap((p) => ['--ro-bind-try', p, p]),
      ...SYS_READABLE.flatMap((p) => ['--ro-bind-try', p, p]),
      '--proc', '/proc',
      '--dev', '/dev',
      '--size', String(policy.tmpBytes), '--tmpfs', '/tmp',
      // After /tmp: a folder under /tmp (a test's, or a portable install) is bound into the private one.
      // Writable first: a readable file inside a writable folder (a job's inputs, hard links into
      // the agent's blob cache) is bound read-only over it, so it cannot be changed or replaced.
      ...policy.writable.flatMap((p) => ['--bind', p, p]),
      ...policy.readable.flatMap((p) => ['--ro-bind', p, p]),
      '--chdir', policy.writable[0] ?? '/tmp',
      '--',
    ];
    const limited = [
      ...(policy.lowPriority && this.nice ? [this.nice, '-n', '10'] : []),
      ...(this.prlimit ? [this.prlimit, `--fsize=${policy.maxFileBytes}`, '--core=0', '--'] : []),
      this.bwrap,
    ];
    // $0 is a label; the group files come first, then "--", then the command to exec.
    const joinGroups = 'while [ "$1" != "--" ]; do echo $$ > "$1" || exit 126; shift; done; shift; exec "$@"';
    return {
      command: '/bin/sh',
      args: ['-c', joinGroups, 'troupe-sandbox', ...(group?.procsFiles ?? []), '--', ...limited, ...view, command, ...args],
      env: containedEnv(),
      stopReason: () => group?.stopReason() ?? null,
      dispose: () => group?.dispose(),
    };
  }
}
