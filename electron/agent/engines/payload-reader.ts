// Owns receiving a binary result from an engine child on its payload pipe: a length header,
// then exactly that many bytes into one buffer allocated up front. The length is checked
// against what the task may return before anything is allocated, so a confused child cannot
// make the agent allocate what it likes.

import { PAYLOAD_HEADER_BYTES } from './engine-protocol.js';

export class PayloadReader {
  private header = Buffer.alloc(0);
  private buffer: Uint8Array | null = null;
  private received = 0;
  private waiter: (() => void) | null = null;

  /** maxBytes: the largest payload the current task may send; 0 when none is expected. */
  constructor(private readonly maxBytes: number) {}

  /** Takes bytes from the pipe; throws if they are not what the task may send. */
  push(chunk: Buffer): void {
    let offset = 0;
    if (!this.buffer) {
      const need = PAYLOAD_HEADER_BYTES - this.header.length;
      this.header = Buffer.concat([this.header, chunk.subarray(0, need)]);
      offset = need;
      if (this.header.length < PAYLOAD_HEADER_BYTES) return;
      const size = Number(this.header.readBigUInt64LE(0));
      if (size > this.maxBytes) throw new Error(`it sent a result of ${size} bytes where at most ${this.maxBytes} were expected`);
      this.buffer = new Uint8Array(size);
    }
    const body = chunk.subarray(offset);
    if (this.received + body.length > this.buffer.length) throw new Error('it sent more result bytes than it announced');
    this.buffer.set(body, this.received);
    this.received += body.length;
    if (this.complete()) this.waiter?.();
  }

  /** The whole payload, once it has arrived and is `sizeBytes` long. */
  async take(sizeBytes: number): Promise<Uint8Array> {
    if (!this.complete()) await new Promise<void>((resolve) => (this.waiter = resolve));
    if (this.buffer!.length !== sizeBytes) throw new Error(`its result has ${this.buffer!.length} bytes, not the ${sizeBytes} it announced`);
    return this.buffer!;
  }

  private complete(): boolean {
    return !!this.buffer && this.received === this.buffer.length;
  }
}
