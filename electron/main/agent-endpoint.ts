// Owns finding the local agent of a data directory: the control endpoint and token files it
// writes when it starts, and a quick question (its proof that it holds the token) that tells our
// agent from a file left behind by one that is gone and whatever took its port. Plain Node: the CLI's way of reaching the agent, for the
// shell.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { checkAgentProof } from '../agent/control-api/agent-proof.js';
import { CONTROL_ENDPOINT_FILE, CONTROL_TOKEN_FILE } from '../agent/control-api/control-token.js';

export interface AgentEndpoint {
  /** The control API's port on 127.0.0.1. */
  port: number;
  token: string;
}

/** How long an agent may take to answer "are you there" before we call it gone. */
const PROBE_TIMEOUT_MS = 2000;

/** The endpoint the agent of `dataDir` last wrote, or null (none started, or unreadable). */
export async function readAgentEndpoint(dataDir: string): Promise<AgentEndpoint | null> {
  try {
    const endpoint = JSON.parse(await readFile(join(dataDir, CONTROL_ENDPOINT_FILE), 'utf8')) as { port?: unknown };
    const token = (await readFile(join(dataDir, CONTROL_TOKEN_FILE), 'utf8')).trim();
    const port = endpoint.port;
    if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535 || token === '') return null;
    return { port, token };
  } catch {
    return null;
  }
}

/**
 * The endpoint of an agent for `dataDir` that proves it holds the token now, or null. The token is
 * not sent: some other program may listen on a port an old agent used (agent-proof.ts).
 */
export async function probeAgent(dataDir: string, timeoutMs = PROBE_TIMEOUT_MS): Promise<AgentEndpoint | null> {
  const endpoint = await readAgentEndpoint(dataDir);
  if (!endpoint) return null;
  return (await checkAgentProof(endpoint.port, endpoint.token, timeoutMs)) === 'ours' ? endpoint : null;
}
