// Owns choosing the sandbox this machine can give engines: bubblewrap on Linux where it is
// installed (the README's first command installs it on Debian and Ubuntu), else none, said so.

import { spawnSync } from 'node:child_process';
import { BubblewrapSandbox, findTool } from './bubblewrap-sandbox.js';
import type { Sandbox } from './sandbox.js';
import { UncontainedSandbox } from './uncontained-sandbox.js';

let chosen: Sandbox | null = null;

/** This machine's sandbox, chosen once per agent. */
export function platformSandbox(): Sandbox {
  chosen ??= choose();
  return chosen;
}

function choose(): Sandbox {
  if (process.platform !== 'linux') return new UncontainedSandbox(`${process.platform} has no sandbox Troupe can use yet`);
  const bwrap = findTool('bwrap');
  if (!bwrap) return new UncontainedSandbox('bubblewrap is not installed: `sudo apt install bubblewrap`');
  // Some systems forbid the namespaces bubblewrap needs (Ubuntu 24.04's AppArmor rule for
  // unprivileged user namespaces): tried once here, so an engine never fails on it mid-task.
  const probe = spawnSync(bwrap, ['--unshare-all', '--die-with-parent', '--ro-bind', '/', '/', '--', '/bin/true'], { encoding: 'utf8', timeout: 10_000 });
  if (probe.status !== 0) {
    const said = (probe.stderr || probe.error?.message || `exit ${probe.status}`).trim().split('\n')[0];
    return new UncontainedSandbox(`bubblewrap cannot make namespaces here: ${said}`);
  }
  return new BubblewrapSandbox(bwrap, findTool('prlimit'));
}
