// Owns what "an engine runs in a sandbox" means, whatever the mechanism: the policy an engine asks
// for (what it may read and write, its limits) and the launch it gets back (a command line to run
// instead of its own, and afterwards the sandbox's word on why the process ended). One sandbox for
// every engine, built-in or to come: an engine names its folders, never a mechanism.

import { dirname } from 'node:path';
import { appRoot } from '../config/app-root.js';

/** What an engine's process may do. Everything not named here is hidden or read-only. */
export interface SandboxPolicy {
  /** Who is contained, in the user's words: "Blender", "the built-in renderer". */
  label: string;
  /** Paths the process may read (beside the system's programs and libraries), never write; one inside a writable folder stays read-only. */
  readable: string[];
  /** The only paths the process may write: a task's or job's folders. */
  writable: string[];
  /** Below normal priority, so the machine's owner comes first. */
  lowPriority?: boolean;
  /** Memory (resident, all its processes) past which the OS stops it. */
  memoryBytes: number;
  /** Processes and threads it may have at once (a fork bomb stops here). */
  maxProcesses: number;
  /** The largest single file it may write. */
  maxFileBytes: number;
  /** Its private /tmp. */
  tmpBytes: number;
}

/** A command to run in place of the engine's own, and what the sandbox learns as it ends. */
export interface SandboxLaunch {
  command: string;
  args: string[];
  /** The whole environment the process gets: nothing of the agent's own (its secrets stay out). */
  env: Record<string, string>;
  /** Why the sandbox stopped the process (over memory, too many processes), or null. Ask after it exits. */
  stopReason(): string | null;
  /** Frees what the launch holds (limit groups); call once the process has exited. */
  dispose(): void;
}

/** What a sandbox on this machine does and does not contain, said as the app and docs say it. */
export interface Containment {
  mechanism: string;
  contained: string[];
  notContained: string[];
}

/** Runs engines so that a hostile scene cannot reach the network, the owner's files or the agent. */
export interface Sandbox {
  readonly containment: Containment;
  /** How to start `command args` inside the sandbox; throws a clear error if it cannot be set up. */
  launch(command: string, args: string[], policy: SandboxPolicy): SandboxLaunch;
}

/** The environment every contained process gets, plus what its engine adds (an fd number, say). */
export function containedEnv(extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: '/tmp', TMPDIR: '/tmp', LANG: 'C.UTF-8', ...extra };
}

/**
 * What every contained Node engine must read besides the system: this app's code (the nearest
 * folder above with a package.json: the repository, or the installed app) and the Node it runs on.
 */
export function codeFolders(from: string, nodePath: string): string[] {
  const dir = appRoot(from);
  const folders = dirname(dir) === dir ? [] : [dir]; // never the whole disk
  const nodeDir = dirname(nodePath);
  if (!nodeDir.startsWith('/usr/') && !nodeDir.startsWith('/bin')) folders.push(nodeDir);
  return folders;
}
