// Owns how the CLI reaches the local agent: the endpoint and token files in the data directory,
// then plain HTTP on 127.0.0.1. Errors come back as the agent's own words.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TroupeError } from '../../shared/errors.js';
import { ControlApiClient, type ControlTransport } from '../../shared/control-api/control-client.js';
import { CONTROL_ENDPOINT_FILE, CONTROL_TOKEN_FILE } from '../agent/control-api/control-token.js';

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
    return new ControlClient(httpTransport(`http://127.0.0.1:${endpoint.port}`, token), { checkAnswers: true });
  }
}

function httpTransport(baseUrl: string, token: string): ControlTransport {
  return async (method, path, body) => {
    let res: Response;
    try {
      res = await fetch(baseUrl + path, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch {
      throw new TroupeError('peer-unreachable', 'The Troupe agent is not answering. Is `troupe agent` still running?');
    }
    return { status: res.status, value: await res.json().catch(() => null) };
  };
}
