// An engine that tries to get out of its sandbox, for the sandbox escape suite: each request is
// one attempt, and the answer says what happened (a value, or the error's code), never throws.

import { spawn } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import os from 'node:os';
import { serveEngine } from '../../../electron/agent/engines/engine-child.js';

type Attempt =
  | { kind: 'connect'; host: string; port: number }
  | { kind: 'read'; path: string }
  | { kind: 'list'; path: string }
  | { kind: 'write'; path: string; bytes?: number }
  | { kind: 'processes'; count: number }
  | { kind: 'hold'; mib: number }
  | { kind: 'env' }
  | { kind: 'interfaces' };

const held: Uint8Array[] = [];
const codeOf = (err: unknown): string => (err as NodeJS.ErrnoException).code ?? String((err as Error).message);

serveEngine({
  async run(raw) {
    const attempt = raw as Attempt;
    switch (attempt.kind) {
      case 'connect':
        return {
          value: await new Promise<string>((resolve) => {
            const socket = connect({ host: attempt.host, port: attempt.port });
            const timer = setTimeout(() => (socket.destroy(), resolve('ETIMEDOUT')), 5000);
            socket.once('connect', () => (clearTimeout(timer), socket.destroy(), resolve('connected')));
            socket.once('error', (err) => (clearTimeout(timer), resolve(codeOf(err))));
          }),
        };
      case 'read':
        try {
          return { value: `read ${readFileSync(attempt.path).length} bytes` };
        } catch (err) {
          return { value: codeOf(err) };
        }
      case 'list':
        try {
          return { value: readdirSync(attempt.path) };
        } catch (err) {
          return { value: codeOf(err) };
        }
      case 'write':
        try {
          writeFileSync(attempt.path, Buffer.alloc(attempt.bytes ?? 16, 1));
          return { value: 'written' };
        } catch (err) {
          return { value: codeOf(err) };
        }
      case 'processes': {
        // Children that sleep, started until the count or a refusal: a fork bomb's first steps.
        let started = 0;
        let refused = '';
        for (let i = 0; i < attempt.count && !refused; i++) {
          refused = await new Promise<string>((resolve) => {
            const child = spawn('/bin/sleep', ['60'], { stdio: 'ignore' });
            child.once('spawn', () => (started++, resolve('')));
            child.once('error', (err) => resolve(codeOf(err)));
          });
        }
        return { value: { started, refused } };
      }
      case 'hold':
        for (let i = 0; i < attempt.mib; i++) held.push(new Uint8Array(2 ** 20).fill(1));
        return { value: held.length };
      case 'env':
        return { value: Object.keys(process.env).sort() };
      case 'interfaces':
        return { value: Object.keys(os.networkInterfaces()) };
    }
  },
});
