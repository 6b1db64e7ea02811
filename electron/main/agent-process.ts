// Owns starting the agent as Electron's utility process: the same code as `troupe agent`, in a
// Node environment of its own, so a crash or a long render never stalls the window, and Electron
// ends it if the app dies.

import { utilityProcess } from 'electron';
import type { AgentProcess } from './agent-supervisor.js';

export function launchAgentProcess(cliEntry: string, args: string[]): AgentProcess {
  const child = utilityProcess.fork(cliEntry, args, {
    serviceName: 'Troupe agent',
    // Its log lines go where the app's go (the terminal in development).
    stdio: 'inherit',
  });
  return {
    get pid() {
      return child.pid;
    },
    onExit(listener) {
      child.once('exit', (code) => listener(code));
    },
    kill() {
      // SIGTERM on POSIX (the agent closes its links and journal); Windows terminates the process.
      child.kill();
    },
  };
}
