// A stand-in for a ws WebSocket in pairing unit tests: records what is sent, delivers frames, and
// closes the way ws does ('close' after close() or terminate(), once).

import { EventEmitter } from 'node:events';
import { decode } from '@msgpack/msgpack';
import { encodeFrame } from '../../../../../electron/agent/transport/frame-codec.js';

export class FakePairSocket extends EventEmitter {
  readonly OPEN = 1;
  readyState = 1;
  paused = false;
  terminated = false;
  sent: { type: string; [k: string]: unknown }[] = [];

  send(bytes: Uint8Array): void {
    this.sent.push(decode(bytes) as { type: string });
  }
  pause(): void {
    this.paused = true;
  }
  resume(): void {
    this.paused = false;
  }
  close(): void {
    this.end();
  }
  terminate(): void {
    this.terminated = true;
    this.end();
  }
  /** A frame from the peer, as ws emits it. */
  deliver(message: object): void {
    this.emit('message', Buffer.from(encodeFrame(message)), true);
  }
  /** The peer hung up. */
  hangUp(): void {
    this.end();
  }
  get closed(): boolean {
    return this.readyState === 3;
  }
  rejection(): { code: string; message: string } | undefined {
    return this.sent.find((m) => m.type === 'pair.rejected') as { code: string; message: string } | undefined;
  }

  private end(): void {
    if (this.readyState === 3) return;
    this.readyState = 3;
    setImmediate(() => this.emit('close', 1006, Buffer.alloc(0)));
  }
}
