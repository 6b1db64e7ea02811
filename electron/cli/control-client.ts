// Owns how plain-Node clients (the CLI, the desktop shell's main process) reach the local agent:
// the endpoint and token files in the data directory, then HTTP and the event WebSocket on
// 127.0.0.1 with the token, once the listener has proved it is this user's agent (agent-proof.ts).
// Errors come back as the agent's own words.

import { readFile } from 'node:fs/promises';
import type WebSocket from 'ws';
import { join } from 'node:path';
import { TroupeError } from '../../shared/errors.js';
import {
  ControlApiClient,
  type ControlBytesTransport,
  type ControlEventsTransport,
  type ControlTransport,
} from '../../shared/control-api/control-client.js';
import { CONTROL_TOKEN_SUBPROTOCOL_PREFIX, EVENTS_PATH } from '../../shared/control-api/route-paths.js';
import { checkAgentProof } from '../agent/control-api/agent-proof.js';
import { answerJson, loopbackRequest } from '../agent/control-api/loopback-http.js';
import { CONTROL_ENDPOINT_FILE, CONTROL_TOKEN_FILE } from '../agent/control-api/control-token.js';

const NOT_ANSWERING = 'The Troupe agent is not answering. Is `troupe agent` still running?';
const notOurs = (port: number): string =>
  `Something answers on port ${port}, but it is not your Troupe agent (it may have stopped, leaving its address behind). ` +
  'Nothing was sent to it. Start Troupe again with `troupe agent`.';

/** The typed control-API client, over HTTP with the token from the data directory. */
export class ControlClient extends ControlApiClient {
  static async open(dataDir: string): Promise<ControlClient> {
    let endpoint: { port: number };
    let token: string;
    try {
      endpoint = JSON.parse(await readFile(join(dataDir, CONTROL_ENDPOINT_FILE), 'utf8'));
      token = (await readFile(join(dataDir, CONTROL_TOKEN_FILE), 'utf8')).trim();
    } catch {
      throw new TroupeError('peer-unreachable', `No Troupe agent is running for ${dataDir}. Start one with \`troupe agent\`.`);
    }
    // The token goes only to a listener that proves it holds it: control.json outlives a crashed
    // agent, and another program may have taken its port since.
    const verdict = await checkAgentProof(endpoint.port, token);
    if (verdict === 'no-answer') throw new TroupeError('peer-unreachable', NOT_ANSWERING);
    if (verdict === 'not-ours') throw new TroupeError('peer-unreachable', notOurs(endpoint.port));
    return ControlClient.at(endpoint.port, token);
  }

  static at(port: number, token: string): ControlClient {
    // Answers are not checked against their schemas: this is the agent of this same install, and
    // loading zod and every schema was most of a command's start-up time.
    return new ControlClient(httpTransport(port, token), {
      bytes: httpBytesTransport(port, token),
      events: wsEventsTransport(`ws://127.0.0.1:${port}${EVENTS_PATH}`, token),
    });
  }
}

function httpTransport(port: number, token: string): ControlTransport {
  return async (method, path, body) => {
    const headers = { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) };
    const answer = await loopbackRequest(port, method, path, headers, body === undefined ? null : Buffer.from(JSON.stringify(body))).catch(() => {
      throw new TroupeError('peer-unreachable', NOT_ANSWERING);
    });
    return { status: answer.status, value: answerJson(answer) };
  };
}

function httpBytesTransport(port: number, token: string): ControlBytesTransport {
  return async (method, path, body) => {
    const headers = { authorization: `Bearer ${token}`, ...(body === null ? {} : { 'content-type': 'application/octet-stream' }) };
    const bytes = body === null ? null : body instanceof Uint8Array ? body : new Uint8Array(await body.arrayBuffer());
    return loopbackRequest(port, method, path, headers, bytes).catch(() => {
      throw new TroupeError('peer-unreachable', NOT_ANSWERING);
    });
  };
}

/** The event stream, reconnecting with backoff (0.5 s doubling to 10 s) until closed. */
function wsEventsTransport(url: string, token: string): ControlEventsTransport {
  return (message, state) => {
    let closed = false;
    let socket: WebSocket | null = null;
    let delay = 500;
    let timer: NodeJS.Timeout | null = null;
    const connect = async (): Promise<void> => {
      state('connecting');
      // Loaded when a command follows events (`troupe render`, the desktop shell), not by every command.
      const { default: WebSocketClient } = await import('ws');
      if (closed) return;
      const ws = new WebSocketClient(url, [`${CONTROL_TOKEN_SUBPROTOCOL_PREFIX}${token}`]);
      socket = ws;
      ws.on('open', () => ((delay = 500), state('open')));
      ws.on('message', (data) => message(data.toString()));
      ws.on('error', () => undefined); // 'close' follows
      ws.on('close', () => {
        if (closed) return;
        state('closed');
        timer = setTimeout(() => void connect(), delay);
        delay = Math.min(10_000, delay * 2);
      });
    };
    void connect();
    return () => {
      closed = true;
      if (timer) clearTimeout(timer);
      socket?.close();
    };
  };
}
