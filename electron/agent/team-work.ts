// Owns this machine's part in the team's jobs: the coordinator for jobs submitted here, the worker
// loop that runs tasks for it and for teammates, and the work messages between them on links.
// The agent hands it link events; it hands back nothing but control events.

import os from 'node:os';
import { join, resolve } from 'node:path';
import { TroupeError } from '../../shared/errors.js';
import type { CommandJob, ControlEvent, JobView, SubmitJob, TaskView, JobPreview } from '../../shared/control-api/index.js';
import type { DeviceId } from '../../shared/model/index.js';
import type { LinkMessage } from '../../shared/protocol/index.js';
import type { CapacityProbe } from './capacity/capacity-probe.js';
import { JobCoordinator } from './coordinator/job-coordinator.js';
import type { EngineRegistry } from './engines/engine-registry.js';
import type { Identity } from './identity/identity-store.js';
import { BlobCache } from './storage/blob-cache.js';
import { DiskRoom } from './storage/disk-room.js';
import type { BlobStore } from './storage/blob-store.js';
import { SqliteJobJournal } from './storage/sqlite-job-journal.js';
import { BlobFetcher } from './transport/blob-fetcher.js';
import type { PeerState } from './transport/link-manager.js';
import { LinkWorkSource } from './worker/link-work-source.js';
import { LocalWorkSource } from './worker/local-work-source.js';
import { TaskRunner } from './worker/task-runner.js';
import { WorkLoop } from './worker/work-loop.js';

/** What TeamWork needs of the links, as narrow as it is. */
export interface WorkLinks {
  send(id: DeviceId, message: LinkMessage): void;
  broadcast(message: LinkMessage): void;
  state(id: DeviceId): PeerState | null;
  markHasWork(id: DeviceId): void;
}

export interface TeamWorkDeps {
  identity: Identity;
  blobs: BlobStore;
  dataDir: string;
  capacity: CapacityProbe;
  /** The engines of this build: job types for the coordinator, engines for the worker. */
  engines: EngineRegistry;
  links: WorkLinks;
  /** Teammates whose link is up now. */
  onlineTeammates(): DeviceId[];
  /** The longest a teammate's task may run here; null: no limit. */
  taskTimeLimitMs: number | null;
  emit(event: ControlEvent): void;
  log(line: string): void;
}

/** Whether a teammate's owner lets the team use it now, from its heartbeat. */
function sharesNow(state: PeerState | null): boolean {
  const c = state?.capacity;
  return !!c && (c.sharing.mode === 'on' || (c.sharing.mode === 'idle' && c.freeCores >= 0.5));
}

export class TeamWork {
  readonly coordinator: JobCoordinator;
  readonly fetcher: BlobFetcher;
  private readonly journal: SqliteJobJournal;
  private readonly workLoop: WorkLoop;
  private readonly localSource: LocalWorkSource;
  private readonly linkSources = new Map<DeviceId, LinkWorkSource>();

  constructor(private readonly deps: TeamWorkDeps) {
    const { identity, blobs, dataDir, links, engines } = deps;
    this.journal = SqliteJobJournal.open(join(dataDir, 'jobs.db'));
    const cache = new BlobCache(blobs, join(dataDir, 'blobs'), undefined, () => this.coordinator.neededBlobs());
    void cache.removeLeftovers().catch(() => undefined); // best effort: a leftover is never mistaken for a blob
    this.fetcher = new BlobFetcher(identity, blobs, join(dataDir, 'partial'), { cache, room: new DiskRoom(dataDir) });
    // Nothing is in flight yet: every partial file is a leftover (of a crash, or of a teammate that lied).
    void this.fetcher.sweepPartials(0).catch(() => undefined);
    this.coordinator = new JobCoordinator({
      selfId: identity.deviceId,
      blobs,
      journal: this.journal,
      jobTypes: engines,
      // A teammate's from its heartbeat; one that advertises none predates adverts (2.2).
      workerEngines: (id) => (id === identity.deviceId ? engines.adverts() : (links.state(id)?.capacity?.engines ?? engines.enginesBeforeAdverts())),
      send: (peerId, message) => links.send(peerId, message),
      nameOf: (id) => (id === identity.deviceId ? 'this machine' : (links.state(id)?.name ?? undefined)),
      // Only for measuring what checks cost (bench:physics); checks are always on otherwise.
      ...(process.env.TROUPE_CHECK_RATE ? { checkRate: Number(process.env.TROUPE_CHECK_RATE) } : {}),
      fetchOutput: async (peerId, hash, sizeBytes) => {
        if (peerId === identity.deviceId) return;
        const address = links.state(peerId)?.address;
        if (!address) throw new TroupeError('peer-unreachable', 'the teammate went offline before its result arrived');
        await this.fetcher.ensure(peerId, address, hash, sizeBytes);
      },
      cancelLocal: (leaseId) => this.workLoop.cancel(leaseId, identity.deviceId),
      // The coordinator tells a job's changed tasks before its summary: a client that sees the job done has seen its last tile.
      taskChanged: (jobId, task) => deps.emit({ type: 'taskChanged', jobId, task }),
      jobChanged: (job) => deps.emit({ type: 'jobChanged', job }),
      selfSharing: () => sharesNow({ capacity: deps.capacity.read() } as PeerState),
      workAvailable: () => {
        links.broadcast({ type: 'work.available' });
        void this.workLoop?.poke();
      },
      // Frames a teammate sent are in the output folder now; their blobs are only cache.
      resultStored: () => void cache.trim().catch(() => undefined),
      log: deps.log,
    });
    this.coordinator.workerJoined(identity.deviceId, os.availableParallelism());
    this.localSource = new LocalWorkSource(identity.deviceId, this.coordinator);
    this.workLoop = new WorkLoop({
      runner: new TaskRunner(blobs, cache, join(dataDir, 'work'), engines, process.env.TROUPE_TEST_TAMPER_RESULTS === '1'),
      sources: () => [this.localSource, ...deps.onlineTeammates().map((id) => this.linkSource(id))],
      sharing: () => deps.capacity.getSharing(),
      freeCores: () => deps.capacity.read().freeCores,
      cores: () => os.availableParallelism(),
      // The owner's own jobs run as long as they take; a teammate's are bounded.
      timeLimitMs: (source) => (source === this.localSource ? null : deps.taskTimeLimitMs),
      log: deps.log,
    });
  }

  hasWork(): boolean {
    return this.coordinator.hasWork();
  }

  /** The leases this machine's worker is working on, for its heartbeats. */
  leasesHeld(): string[] {
    return this.workLoop.leaseIds();
  }

  async close(): Promise<void> {
    await this.workLoop.close();
    this.fetcher.close();
    this.coordinator.close();
    this.journal.close();
  }

  // ---- link events ----

  teammateOnline(id: DeviceId): void {
    const state = this.deps.links.state(id);
    this.coordinator.workerJoined(id, state?.capacity?.cores ?? 1, sharesNow(state));
    if (state?.hasWork) void this.workLoop.poke();
  }

  teammateOffline(id: DeviceId): void {
    this.coordinator.workerLost(id);
    this.workLoop.cancelFrom(id);
  }

  heartbeat(id: DeviceId): void {
    const state = this.deps.links.state(id);
    this.coordinator.heartbeat(id, sharesNow(state), state?.leases ?? null);
    if (state?.hasWork) void this.workLoop.poke();
  }

  /** Work messages from a teammate's link: it is a member (the link proves it), so it may ask and report. */
  message(id: DeviceId, message: LinkMessage): void {
    const links = this.deps.links;
    switch (message.type) {
      case 'work.available':
        links.markHasWork(id);
        void this.workLoop.poke();
        break;
      case 'work.request': {
        const lease = this.coordinator.requestWork(id);
        links.send(id, lease ? { ...lease, requestId: message.requestId } : { type: 'work.none', requestId: message.requestId });
        break;
      }
      case 'work.lease':
        this.linkSource(id).answer(message.requestId, message);
        break;
      case 'work.none':
        this.linkSource(id).answer(message.requestId, null);
        break;
      case 'task.started':
        this.coordinator.taskStarted(id, message.leaseId);
        break;
      case 'task.progress':
        this.coordinator.taskProgress(id, message.leaseId, message.done, message.total);
        break;
      case 'task.done':
        void this.coordinator.taskDone(id, message.leaseId, { startedAtMs: message.startedAtMs, endedAtMs: message.endedAtMs, outputs: message.outputs, warnings: message.warnings ?? [] });
        break;
      case 'task.failed':
        this.coordinator.taskFailed(id, message.leaseId, message.error);
        break;
      case 'task.cancel':
        // From a coordinator: stop that task. From a worker: it gives back a lease it will not run.
        this.workLoop.cancel(message.leaseId, id);
        this.coordinator.releaseLease(id, message.leaseId);
        break;
      default:
        break;
    }
  }

  // ---- jobs (control API) ----

  previewJob(body: SubmitJob): Promise<JobPreview> {
    return this.coordinator.preview(body);
  }

  async submitJob(body: SubmitJob): Promise<JobView> {
    return this.coordinator.submit(body, [this.deps.identity.deviceId, ...this.deps.onlineTeammates()]);
  }

  /**
   * A command line's job: the engine that takes the file for the verb reads the flags into its
   * request, which is then checked and sent like any other (or, `listOnly`, only listed).
   */
  async commandJob(command: CommandJob): Promise<{ job: JobView | null; preview: JobPreview | null }> {
    const line = { verb: command.verb, file: resolve(command.cwd, command.file), cwd: command.cwd, flags: command.flags };
    const request = this.deps.engines.commandJobType(line).requestFromCommand!(line) as SubmitJob;
    if (command.listOnly) return { job: null, preview: await this.previewJob(request) };
    return { job: await this.submitJob(request), preview: null };
  }

  job(jobId: string): { job: JobView; tasks: TaskView[] } {
    return { job: this.coordinator.view(jobId), tasks: this.coordinator.tasks(jobId) };
  }

  private linkSource(id: DeviceId): LinkWorkSource {
    let source = this.linkSources.get(id);
    if (!source) {
      const links = this.deps.links;
      source = new LinkWorkSource(
        id,
        {
          send: (m) => links.send(id, m),
          address: () => links.state(id)?.address ?? null,
          hasWork: () => links.state(id)?.hasWork ?? false,
          offers: (feature) => links.state(id)?.features.includes(feature) ?? false,
        },
        this.fetcher,
      );
      this.linkSources.set(id, source);
    }
    return source;
  }
}
