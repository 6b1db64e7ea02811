// Owns how the CLI reaches the local agent: the endpoint and token files in the data directory,
// then plain HTTP on 127.0.0.1. Errors come back as the agent's own words.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TroupeError, isErrorCode } from '../../shared/errors.js';
import { CONTROL_ENDPOINT_FILE, CONTROL_TOKEN_FILE } from '../agent/control-api/control-token.js';

export class ControlClient {
  private constructor(
    private readonly baseUrl: string,
    private readonly token: string,
  ) {}

  static async open(dataDir: string): Promise<ControlClient> {
    let endpoint: { port: number };
    let token: string;
    try {
      endpoint = JSON.parse(await readFile(join(dataDir, CONTROL_ENDPOINT_FILE), 'utf8'));
      token = (await readFile(join(dataDir, CONTROL_TOKEN_FILE), 'utf8')).trim();
    } catch {
      throw new TroupeError('peer-unreachable', `No Troupe agent is running for ${dataDir}. Start one with \`troupe agent\`.`);
    }
    return new ControlClient(`http://127.0.0.1:${endpoint.port}`, token);
  }

  async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    let res: Response;
    try {
      res = await fetch(this.baseUrl + path, {
        method,
        headers: { authorization: `Bearer ${this.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch {
      throw new TroupeError('peer-unreachable', 'The Troupe agent is not answering. Is `troupe agent` still running?');
    }
    const value = (await res.json().catch(() => null)) as { error?: { code: string; message: string } } | null;
    if (!res.ok) {
      const code = isErrorCode(value?.error?.code) ? value.error.code : 'internal';
      throw new TroupeError(code, value?.error?.message ?? `The agent answered HTTP ${res.status}`);
    }
    return value as T;
  }
}
