// Owns running an engine where this machine offers no sandbox Troupe can use (macOS and Windows
// today, or Linux without bubblewrap): the process runs as the agent's user, with only the
// environment cut down and the engine host's own watchdogs. What that leaves open is said in
// words, for the app's settings and the security model (docs/protocol.md §12), never hidden.

import { containedEnv, type Containment, type Sandbox, type SandboxLaunch, type SandboxPolicy } from './sandbox.js';

export class UncontainedSandbox implements Sandbox {
  readonly containment: Containment;

  constructor(why: string) {
    this.containment = {
      mechanism: `none (${why})`,
      contained: ["the agent's environment (its secrets) is not passed on", 'memory and time are bounded by watchdogs that poll'],
      notContained: ['network', "the owner's files (an engine reads and writes what the owner's account can)", 'process count', 'file size'],
    };
  }

  launch(command: string, args: string[], _policy: SandboxPolicy): SandboxLaunch {
    return { command, args, env: containedEnv(), stopReason: () => null, dispose: () => undefined };
  }
}
