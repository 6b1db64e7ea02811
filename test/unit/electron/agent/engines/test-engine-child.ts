// An engine for the engine host's tests: each request names one behaviour, good or bad.

import { readFileSync } from 'node:fs';
import { serveEngine } from '../../../../../electron/agent/engines/engine-child.js';
import { TroupeError } from '../../../../../shared/errors.js';

type Request =
  | { kind: 'echo'; value: unknown }
  | { kind: 'progress'; steps: number }
  | { kind: 'payload'; bytes: number }
  | { kind: 'hold'; mib: number; ms: number }
  | { kind: 'heap' }
  | { kind: 'crash' }
  | { kind: 'spin'; ms: number }
  | { kind: 'wait' }
  | { kind: 'info' }
  | { kind: 'refuse' };

const held: Uint8Array[] = [];
const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(signal.reason);
    });
  });

serveEngine({
  async run(raw, { signal, progress }) {
    const request = raw as Request;
    switch (request.kind) {
      case 'echo':
        return { value: request.value };
      case 'progress':
        for (let i = 1; i <= request.steps; i++) progress(i, request.steps);
        return { value: 'done' };
      case 'payload':
        return { value: null, payload: Uint8Array.from({ length: request.bytes }, (_, i) => i & 0xff) };
      case 'hold': {
        // Outside the JS heap, as scenes and textures are; filled so the pages are resident.
        for (let i = 0; i < request.mib; i++) held.push(new Uint8Array(2 ** 20).fill(1));
        await sleep(request.ms, signal);
        return { value: held.length };
      }
      case 'heap': {
        const objects: object[] = [];
        for (;;) objects.push({ a: objects.length, b: [objects.length], c: `${objects.length}` });
      }
      case 'crash':
        setImmediate(() => {
          throw new Error('boom in the engine');
        });
        return new Promise(() => undefined);
      case 'spin': {
        const end = Date.now() + request.ms;
        while (Date.now() < end);
        return { value: 'spun' };
      }
      case 'wait':
        await sleep(60_000, signal);
        return { value: 'waited' };
      case 'info':
        return {
          value: {
            oomScoreAdj: readFileSync('/proc/self/oom_score_adj', 'utf8').trim(),
            execArgv: process.execArgv,
            rss: process.memoryUsage.rss(),
            priority: (await import('node:os')).getPriority(),
          },
        };
      case 'refuse':
        throw new TroupeError('bad-scene', 'that scene is refused');
    }
  },
});
