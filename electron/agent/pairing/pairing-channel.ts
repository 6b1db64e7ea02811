// Owns the message plumbing both pairing roles share: validated frames in, one awaited reply at a
// time, and a clean refusal on the way out.

import type { WebSocket } from 'ws';
import { pairMessageSchema, type PairMessage } from '../../../shared/protocol/index.js';
import { TroupeError, toErrorBody, type ErrorCode } from '../../../shared/errors.js';
import { decodeFrame, encodeFrame } from '../transport/frame-codec.js';

export class PairingChannel {
  private queue: PairMessage[] = [];
  private waiter: { resolve: (m: PairMessage) => void; reject: (e: Error) => void } | null = null;
  private failure: Error | null = null;

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data, isBinary) => {
      let message: PairMessage;
      try {
        message = decodeFrame(pairMessageSchema, data, isBinary);
      } catch (err) {
        this.refuse('bad-frame', toErrorBody(err).message);
        return this.fail(err as Error);
      }
      if (this.waiter) {
        const w = this.waiter;
        this.waiter = null;
        w.resolve(message);
      } else this.queue.push(message);
    });
    ws.on('close', () => this.fail(new TroupeError('pairing-failed', 'The other machine closed the pairing connection')));
    ws.on('error', (err) => this.fail(new TroupeError('pairing-failed', `Pairing connection failed: ${err.message}`)));
  }

  send(message: PairMessage): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(encodeFrame(message));
  }

  /** Waits for the next message; a `pair.rejected` or `error` from the peer becomes a thrown TroupeError. */
  async next<T extends PairMessage['type']>(type: T, timeoutMs: number): Promise<Extract<PairMessage, { type: T }>> {
    const message = await this.receive(timeoutMs);
    if (message.type === type) return message as Extract<PairMessage, { type: T }>;
    if (message.type === 'pair.rejected' || message.type === 'error') {
      const code = (['pairing-rejected', 'pairing-expired', 'pairing-rate-limited', 'pairing-busy', 'already-member', 'pairing-code-mismatch', 'protocol-mismatch'] as const).find(
        (c) => c === message.code,
      );
      throw new TroupeError(code ?? 'pairing-failed', message.message);
    }
    this.refuse('bad-frame', `Expected ${type}, got ${message.type}`);
    throw new TroupeError('pairing-failed', `The other machine sent ${message.type} where ${type} belongs`);
  }

  refuse(code: ErrorCode, message: string): void {
    this.send({ type: 'pair.rejected', code, message });
    setTimeout(() => this.ws.close(), 200).unref();
  }

  close(): void {
    this.ws.close();
  }

  private receive(timeoutMs: number): Promise<PairMessage> {
    if (this.queue.length > 0) return Promise.resolve(this.queue.shift()!);
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = null;
        reject(new TroupeError('pairing-expired', 'The other machine did not answer in time'));
      }, timeoutMs);
      timer.unref();
      this.waiter = {
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      };
    });
  }

  private fail(err: Error): void {
    this.failure ??= err;
    const w = this.waiter;
    this.waiter = null;
    w?.reject(this.failure);
  }
}
