// Owns asking a teammate's coordinator for work over our link to it, matching answers to
// requests, and fetching the job's inputs from that teammate's blob route.

import type { AssetRef } from '../../../shared/model/jobs.js';
import { TASK_PROGRESS_FEATURE, type LinkMessage, type WorkLease } from '../../../shared/protocol/index.js';
import type { BlobFetcher } from '../transport/blob-fetcher.js';
import type { TaskResult, WorkSource } from './work-source.js';

const REQUEST_TIMEOUT_MS = 5000;

export class LinkWorkSource implements WorkSource {
  private seq = 0;
  private readonly waiting = new Map<number, (lease: WorkLease | null) => void>();

  constructor(
    readonly coordinatorId: string,
    private readonly link: { send(message: LinkMessage): void; address(): string | null; hasWork(): boolean; offers(feature: string): boolean },
    private readonly fetcher: BlobFetcher,
  ) {}

  hasWork(): boolean {
    return this.link.hasWork();
  }

  request(freeCores: number): Promise<WorkLease | null> {
    const requestId = ++this.seq;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiting.delete(requestId);
        resolve(null);
      }, REQUEST_TIMEOUT_MS);
      this.waiting.set(requestId, (lease) => {
        clearTimeout(timer);
        this.waiting.delete(requestId);
        resolve(lease);
      });
      this.link.send({ type: 'work.request', requestId, freeCores });
    });
  }

  /** The coordinator's answer to one of our requests. */
  answer(requestId: number, lease: WorkLease | null): void {
    const waiter = this.waiting.get(requestId);
    if (waiter) waiter(lease);
    // Too late: we stopped waiting. Hand the lease back so the task does not sit held until the link drops.
    else if (lease) this.link.send({ type: 'task.cancel', leaseId: lease.leaseId, reason: 'lease arrived after the request timed out' });
  }

  started(leaseId: string): void {
    this.link.send({ type: 'task.started', leaseId });
  }

  progress(leaseId: string, done: number, total: number): void {
    // A coordinator before 2.6 would take the message for a malformed frame.
    if (this.link.offers(TASK_PROGRESS_FEATURE)) this.link.send({ type: 'task.progress', leaseId, done, total });
  }

  done(leaseId: string, result: TaskResult): void {
    this.link.send({ type: 'task.done', leaseId, ...result });
  }

  failed(leaseId: string, error: string): void {
    this.link.send({ type: 'task.failed', leaseId, error: error.slice(0, 4000) });
  }

  checkInputs(lease: WorkLease): Promise<void> {
    return this.fetcher.checkInputs(lease.task.taskId, lease.assets);
  }

  async fetchAsset(asset: AssetRef): Promise<void> {
    const address = this.link.address();
    if (!address) throw new Error('the coordinator is offline');
    await this.fetcher.ensure(this.coordinatorId, address, asset.hash, asset.sizeBytes);
  }
}
