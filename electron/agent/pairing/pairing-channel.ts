// Owns the message plumbing both pairing roles share: validated frames in, one awaited reply at a
// time, and a clean refusal on the way out.
//
// It keeps no queue. /pair takes any certificate, so a peer with no standing at all can reach a
// point where nobody reads it (a request waiting for the owner, up to a minute); a queue there
// held whatever it streamed (387 MiB in a review, until the agent died). In pairing each side has
// at most one message in flight, so a message that nothing awaits is misbehaviour: it ends the
// pairing. One grace: a message may arrive a moment before its await, in the same read as the one
// before it (ws emits every frame of a chunk synchronously; the awaiting code continues in a
// microtask). So one message is held until the next turn of the event loop, and no more.
//
//   open --message awaited--> delivered          open --message nobody awaits--> held one turn
//   held --awaited within the turn--> delivered  held --not awaited / a second message--> ended
//   any --refuse()/close()/peer ends--> ended: nothing more is read; the socket is gone within 2 s

import type { WebSocket } from 'ws';
import type { z } from 'zod';
import { pairMessageSchema, type PairMessage } from '../../../shared/protocol/index.js';
import { TroupeError, toErrorBody, type ErrorCode } from '../../../shared/errors.js';
import { decodeFrame, encodeFrame } from '../transport/frame-codec.js';

/** A refusal is written, then the socket goes after this long: time for the peer to read why. */
const LINGER_MS = 200;
/** A close handshake the peer does not finish is cut off after this long. */
const CLOSE_GRACE_MS = 2000;
/** Pairing never pings; a few are tolerated from a WebSocket stack, a stream of them is not. */
const MAX_CONTROL_FRAMES = 8;

/** Codes a peer's refusal keeps on our side; anything else becomes pairing-failed (§5.4). */
const KEPT_CODES = [
  'pairing-rejected',
  'pairing-expired',
  'pairing-rate-limited',
  'pairing-busy',
  'already-member',
  'pairing-code-mismatch',
  'protocol-mismatch',
] as const;

/** What we may write: the wire form, where fields with defaults may be left out. */
type OutgoingPairMessage = z.input<typeof pairMessageSchema>;

export class PairingChannel {
  private waiter: { resolve: (m: PairMessage) => void; reject: (e: Error) => void } | null = null;
  /** While a multi-frame message is being taken (collect), each frame goes straight here. */
  private sink: ((m: PairMessage) => void) | null = null;
  private held: PairMessage | null = null;
  private failure: Error | null = null;
  private ended = false;
  private paused = false;
  private controlFrames = 0;

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data, isBinary) => this.onMessage(data, isBinary));
    // ws answers each ping itself; a peer that pings and never reads would pile pongs up in our send buffer.
    ws.on('ping', () => this.onControlFrame());
    ws.on('pong', () => this.onControlFrame());
    ws.on('close', () => this.fail(new TroupeError('pairing-failed', 'The other machine closed the pairing connection')));
    ws.on('error', (err) => this.fail(new TroupeError('pairing-failed', `Pairing connection failed: ${err.message}`)));
  }

  /** True once the pairing on this connection is over, whoever ended it. */
  get isEnded(): boolean {
    return this.ended || this.failure !== null;
  }

  send(message: OutgoingPairMessage): void {
    if (!this.ended && this.ws.readyState === this.ws.OPEN) this.ws.send(encodeFrame(message));
  }

  /** Waits for the next message; a `pair.rejected` or `error` from the peer becomes a thrown TroupeError. */
  async next<T extends PairMessage['type']>(type: T, timeoutMs: number): Promise<Extract<PairMessage, { type: T }>> {
    const message = await this.receive(timeoutMs);
    if (message.type === type) return message as Extract<PairMessage, { type: T }>;
    if (message.type === 'pair.rejected' || message.type === 'error') {
      const err = peerError(message);
      this.end(err);
      throw err;
    }
    this.refuse('bad-frame', `Expected ${type}, got ${message.type}`);
    throw new TroupeError('pairing-failed', `The other machine sent ${message.type} where ${type} belongs`);
  }

  /**
   * Takes frames of `type` as they come, in the same turn (several may arrive in one read), until
   * `take` returns false: the roster in pair.welcome comes in batches. `take` bounds the total.
   */
  collect<T extends PairMessage['type']>(
    type: T,
    timeoutMs: number,
    take: (m: Extract<PairMessage, { type: T }>) => boolean,
  ): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const finish = (err: Error | null): void => {
        clearTimeout(timer);
        this.sink = null;
        this.waiter = null;
        if (err) reject(err);
        else resolve();
      };
      const timer = setTimeout(() => finish(new TroupeError('pairing-expired', 'The other machine did not answer in time')), timeoutMs);
      timer.unref();
      const deliver = (m: PairMessage): void => {
        if (m.type !== type) {
          const err =
            m.type === 'pair.rejected' || m.type === 'error'
              ? peerError(m)
              : new TroupeError('pairing-failed', `The other machine sent ${m.type} where ${type} belongs`);
          if (err.code === 'pairing-failed') this.refuse('bad-frame', `Expected ${type}, got ${m.type}`);
          else this.end(err);
          return finish(err);
        }
        try {
          if (!take(m as Extract<PairMessage, { type: T }>)) finish(null);
        } catch (err) {
          this.refuse('pairing-failed', (err as Error).message);
          finish(err as Error);
        }
      };
      if (this.failure) return finish(this.failure);
      const held = this.held;
      this.held = null;
      this.sink = deliver;
      this.waiter = { resolve: () => undefined, reject: (e) => finish(e) }; // so an ending connection reaches us
      if (held) deliver(held);
    });
  }

  /** Tells the peer why, then hangs up; anything it sends from now on is not read. */
  refuse(code: ErrorCode, message: string): void {
    if (this.ended) return;
    this.send({ type: 'pair.rejected', code, message });
    this.end(new TroupeError(code, message));
  }

  close(): void {
    this.end(new TroupeError('pairing-failed', 'The pairing connection was closed'));
  }

  private onMessage(data: unknown, isBinary: boolean): void {
    if (this.ended) return this.stopReading(); // it keeps talking after we hung up: stop listening at once
    if (this.held) return this.refuse('bad-frame', 'Sent a message while another one was still unanswered');
    let message: PairMessage;
    try {
      message = decodeFrame(pairMessageSchema, data, isBinary);
    } catch (err) {
      this.refuse('bad-frame', toErrorBody(err).message);
      return this.stopReading();
    }
    if (this.sink) return this.sink(message);
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = null;
      return w.resolve(message);
    }
    this.held = message;
    setImmediate(() => {
      if (this.held !== message) return; // awaited in time
      this.held = null;
      if (message.type === 'pair.rejected' || message.type === 'error')
        this.end(peerError(message)); // the peer ended it
      else this.refuse('bad-frame', `${message.type} was not expected now`);
    });
  }

  private onControlFrame(): void {
    if (++this.controlFrames <= MAX_CONTROL_FRAMES || this.ended) return;
    this.refuse('bad-frame', 'Pairing does not use pings');
    this.stopReading();
  }

  private receive(timeoutMs: number): Promise<PairMessage> {
    if (this.held) {
      const m = this.held;
      this.held = null;
      return Promise.resolve(m);
    }
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

  /**
   * Over on our side: whoever awaits a message learns why now, not at a timeout. The socket closes
   * politely after LINGER_MS, or is cut if the peer kept talking (we stopped reading it, so a close
   * handshake could not finish) or does not finish the close in time.
   */
  private end(err: Error): void {
    if (this.ended) return;
    this.ended = true;
    this.held = null;
    this.fail(err);
    setTimeout(() => {
      if (this.paused) return this.ws.terminate();
      this.ws.close();
      setTimeout(() => this.ws.terminate(), CLOSE_GRACE_MS).unref();
    }, LINGER_MS).unref();
  }

  private stopReading(): void {
    if (this.paused) return;
    this.paused = true;
    this.ws.pause();
  }

  private fail(err: Error): void {
    this.failure ??= err;
    const w = this.waiter;
    this.waiter = null;
    w?.reject(this.failure);
  }
}

function peerError(message: { code: string; message: string }): TroupeError {
  return new TroupeError(KEPT_CODES.find((c) => c === message.code) ?? 'pairing-failed', message.message);
}
