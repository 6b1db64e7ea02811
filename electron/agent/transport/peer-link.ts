// Owns one authenticated WebSocket to one teammate: validated frames in, encoded frames out,
// and when it last heard anything. Who the peer is was settled by the TLS handshake.

import { EventEmitter } from 'node:events';
import type { WebSocket } from 'ws';
import { linkMessageSchema, type LinkMessage } from '../../../shared/protocol/index.js';
import type { DeviceId } from '../../../shared/model/index.js';
import { toErrorBody } from '../../../shared/errors.js';
import { decodeFrame, encodeFrame } from './frame-codec.js';

/** Unsent bytes queued for a peer: past the first, optional answers wait; past the second, the link goes. */
const SKIP_OPTIONAL_ABOVE_BYTES = 4 * 2 ** 20;
const MAX_BUFFERED_BYTES = 32 * 2 ** 20;
/** A peer that keeps sending garbage after this many errors in one second is cut off. */
const MAX_BAD_FRAMES_PER_SECOND = 200;

export class PeerLink extends EventEmitter<{ message: [LinkMessage]; closed: [string] }> {
  lastFrameAtMs = Date.now();
  helloReceived = false;
  /** The port the peer listens on, from its hello. */
  listenPort = 0;
  private badFrames = 0;
  private badWindowStartMs = 0;
  private closedReason: string | null = null;

  constructor(
    readonly ws: WebSocket,
    readonly peerId: DeviceId,
    readonly direction: 'in' | 'out',
    readonly remoteAddress: string,
  ) {
    super();
    ws.on('message', (data, isBinary) => this.onFrame(data, isBinary));
    ws.on('close', (code, reason) => this.finish(reason.toString() || `connection closed (${code})`));
    ws.on('error', (err) => this.finish(err.message));
  }

  get open(): boolean {
    return this.closedReason === null;
  }

  /** Whether the peer reads what we send: answers that can wait (roster answers) are skipped when not. */
  get draining(): boolean {
    return this.ws.bufferedAmount < SKIP_OPTIONAL_ABOVE_BYTES;
  }

  send(message: LinkMessage): void {
    if (!this.open || this.ws.readyState !== this.ws.OPEN) return;
    // A peer that asks and never reads would otherwise grow our send buffer without end.
    if (this.ws.bufferedAmount > MAX_BUFFERED_BYTES) return this.close('the other machine is not reading what we send', 1008);
    this.ws.send(encodeFrame(message));
  }

  close(reason: string, code = 1000): void {
    if (!this.open) return;
    try {
      this.ws.close(code, reason.slice(0, 120));
    } catch {
      /* already closing */
    }
    setTimeout(() => this.ws.terminate(), 1000).unref();
    this.finish(reason);
  }

  /** For a cut cable: no FIN will ever come, so do not wait for the close handshake. */
  kill(reason: string): void {
    this.ws.terminate();
    this.finish(reason);
  }

  private onFrame(data: unknown, isBinary: boolean): void {
    this.lastFrameAtMs = Date.now();
    let message: LinkMessage;
    try {
      message = decodeFrame(linkMessageSchema, data, isBinary);
    } catch (err) {
      this.onBadFrame(err);
      return;
    }
    this.emit('message', message);
  }

  private onBadFrame(err: unknown): void {
    const now = Date.now();
    if (now - this.badWindowStartMs > 1000) {
      this.badWindowStartMs = now;
      this.badFrames = 0;
    }
    if (++this.badFrames > MAX_BAD_FRAMES_PER_SECOND) return this.close('too many malformed frames', 1008);
    const body = toErrorBody(err);
    this.send({ type: 'error', code: body.code, message: body.message });
  }

  private finish(reason: string): void {
    if (this.closedReason !== null) return;
    this.closedReason = reason;
    this.emit('closed', reason);
  }
}
