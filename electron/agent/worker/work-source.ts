// Owns the contract between this machine's worker and a coordinator that has work: ask, report,
// and fetch inputs. A teammate's coordinator is reached over its link; our own directly.

import type { WorkLease } from '../../../shared/protocol/index.js';
import type { AssetRef } from '../../../shared/model/jobs.js';

export interface TaskResult {
  startedAtMs: number;
  endedAtMs: number;
  outputs: Record<string, { hash: string; sizeBytes: number }>;
  /** What the engine warned of while the task succeeded. */
  warnings: string[];
}

export interface WorkSource {
  /** The coordinator's device id. */
  readonly coordinatorId: string;
  hasWork(): boolean;
  request(freeCores: number): Promise<WorkLease | null>;
  started(leaseId: string): void;
  /** How far a running task is, in its engine's own unit (already throttled by the task runner). */
  progress(leaseId: string, done: number, total: number): void;
  done(leaseId: string, result: TaskResult): void;
  failed(leaseId: string, error: string): void;
  /**
   * Throws, in words for the coordinator's user, if this machine cannot take the lease's inputs
   * (too large, or no disk room for them). A no-op when the coordinator is us: they are here.
   */
  checkInputs(lease: WorkLease): Promise<void>;
  /** Makes sure an input is in this machine's blob store (a no-op when the coordinator is us). */
  fetchAsset(asset: AssetRef): Promise<void>;
  /** Our own coordinator only: a check of its jobs' results waits for this machine (run whatever the sharing setting). */
  hasCheck?(): boolean;
  requestCheck?(): Promise<WorkLease | null>;
}
