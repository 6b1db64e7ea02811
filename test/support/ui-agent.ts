// An agent in this process for tests of the control port's UI surface: loopback only, its data in
// <root>/alpha, the UI served from `uiDir`, images suggested into <root>/renders.

import { join } from 'node:path';
import { Agent } from '../../electron/agent/agent.js';

export function startUiAgent(root: string, uiDir: string): Promise<Agent> {
  return Agent.start({
    dataDir: join(root, 'alpha'),
    name: 'alpha',
    port: 0,
    controlPort: 0,
    interfaceAddress: '127.0.0.1',
    newIdentity: false,
    uiDir,
    outputDir: join(root, 'renders'),
  });
}
