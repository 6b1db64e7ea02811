// Owns how a local client knows it talks to this user's agent before it sends the token: it asks
// `GET /agent-proof?nonce=N` (no secret in the request), and the agent answers with
// HMAC-SHA256(token, "troupe-agent-proof/1|<port>|N"). Only a holder of the token can answer, and
// the port binds the answer to the listener the client reached, so a program that took a crashed
// agent's old port can neither answer nor pass the question on to the real agent elsewhere.
// Clients: the CLI and the desktop shell (control-client.ts, agent-endpoint.ts) and the Blender
// add-on (assets/blender/troupe_addon/agent_client.py, the same formula in Python).

import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { answerJson, loopbackRequest } from './loopback-http.js';

/** Bytes of a proof's answer read at most. */
const PROOF_MAX_BYTES = 64 * 1024;

export const AGENT_PROOF_PATH = '/agent-proof';

export function agentProof(token: string, port: number, nonce: string): string {
  return createHmac('sha256', token).update(`troupe-agent-proof/1|${port}|${nonce}`).digest('hex');
}

/** A fresh question: 32 random bytes, hex. */
export function proofNonce(): string {
  return randomBytes(32).toString('hex');
}

export type ProofVerdict = 'ours' | 'not-ours' | 'no-answer';

/** Asks whoever listens on 127.0.0.1:`port` to prove it holds `token`; the token never leaves here. */
export async function checkAgentProof(port: number, token: string, timeoutMs = 10_000): Promise<ProofVerdict> {
  const nonce = proofNonce();
  let answer: unknown;
  try {
    // A proof is a few hundred bytes: a listener that sends more is not our agent.
    const res = await loopbackRequest(port, 'GET', `${AGENT_PROOF_PATH}?nonce=${nonce}`, {}, null, timeoutMs, PROOF_MAX_BYTES);
    answer = answerJson(res);
    if (res.status < 200 || res.status >= 300) return 'not-ours';
  } catch {
    return 'no-answer';
  }
  const proof = (answer as { proof?: unknown } | null)?.proof;
  if (typeof proof !== 'string' || !/^[0-9a-f]{64}$/.test(proof)) return 'not-ours';
  return timingSafeEqual(Buffer.from(proof, 'hex'), Buffer.from(agentProof(token, port, nonce), 'hex')) ? 'ours' : 'not-ours';
}
