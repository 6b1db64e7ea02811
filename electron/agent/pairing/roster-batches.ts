// Owns cutting a run of roster ops into frames a teammate accepts: at most
// MAX_ROSTER_OPS_PER_MESSAGE ops and MAX_ROSTER_BATCH_BYTES each, parents before children. Always
// at least one batch (an empty one ends an answer).

import { MAX_ROSTER_BATCH_BYTES, MAX_ROSTER_OPS_PER_MESSAGE, type RosterOp } from '../../../shared/protocol/index.js';
import { encodeFrame } from '../transport/frame-codec.js';

export function rosterBatches(ops: readonly RosterOp[]): RosterOp[][] {
  const batches: RosterOp[][] = [[]];
  let bytes = 0;
  for (const op of ops) {
    const size = encodeFrame(op).byteLength;
    const current = batches.at(-1)!;
    if (current.length > 0 && (current.length >= MAX_ROSTER_OPS_PER_MESSAGE || bytes + size > MAX_ROSTER_BATCH_BYTES)) {
      batches.push([op]);
      bytes = size;
    } else {
      current.push(op);
      bytes += size;
    }
  }
  return batches;
}
