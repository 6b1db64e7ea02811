// Owns this machine's worker taking work from this machine's own coordinator: the same steps as
// over a link, as direct calls, with inputs already in the shared blob store.

import type { WorkLease } from '../../../shared/protocol/index.js';
import type { JobCoordinator } from '../coordinator/job-coordinator.js';
import type { TaskResult, WorkSource } from './work-source.js';

export class LocalWorkSource implements WorkSource {
  constructor(
    readonly coordinatorId: string,
    private readonly coordinator: JobCoordinator,
  ) {}

  hasWork(): boolean {
    return this.coordinator.hasWork();
  }

  async request(): Promise<WorkLease | null> {
    return this.coordinator.requestWork(this.coordinatorId);
  }

  /** While this machine does not share: whether a check of its own jobs waits for it. */
  hasCheck(): boolean {
    return this.coordinator.hasCheckForSelf();
  }

  /** While this machine does not share: a check of its own jobs' results, which it runs anyway. */
  async requestCheck(): Promise<WorkLease | null> {
    return this.coordinator.requestCheck(this.coordinatorId);
  }

  started(leaseId: string): void {
    this.coordinator.taskStarted(this.coordinatorId, leaseId);
  }

  progress(leaseId: string, done: number, total: number): void {
    this.coordinator.taskProgress(this.coordinatorId, leaseId, done, total);
  }

  done(leaseId: string, result: TaskResult): void {
    void this.coordinator.taskDone(this.coordinatorId, leaseId, result);
  }

  failed(leaseId: string, error: string): void {
    this.coordinator.taskFailed(this.coordinatorId, leaseId, error);
  }

  async checkInputs(): Promise<void> {}

  async fetchAsset(): Promise<void> {}
}
