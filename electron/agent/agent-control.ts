// Owns what the control API's calls do: each one handed to the part of the agent that owns it
// (pairing, the roster, the job system, settings, views). The HTTP server (control-server.ts)
// checks and routes requests; this is the one place that says which part answers which call.

import type { IncomingMessage } from 'node:http';
import type {
  AgentStatus,
  CapacityHistory,
  ControlEvent,
  JobView,
  OpenedFolder,
  EngineActionDone,
  EngineActionInfo,
  ResultTable,
  CommandJob,
  Pairing,
  PairRequest,
  SceneInfo,
  SubmitJob,
  TaskView,
  Upload,
  JobPreview,
} from '../../shared/control-api/index.js';
import type { NearbyDevice, SharingSetting, TeamView } from '../../shared/model/index.js';
import type { AgentEvents } from './agent-events.js';
import type { AgentSettings } from './agent-settings.js';
import type { AgentViews } from './agent-views.js';
import type { CapacityHistoryLog } from './capacity/capacity-history.js';
import type { CapacityProbe } from './capacity/capacity-probe.js';
import type { ControlApiHandlers } from './control-api/control-server.js';
import { openFolder } from './control-api/open-folder.js';
import type { UploadStore } from './control-api/upload-store.js';
import type { TaskImages } from './coordinator/task-images.js';
import type { ManualAddresses } from './discovery/manual-addresses.js';
import type { NearbyList } from './discovery/nearby-list.js';
import { inspectScene } from './jobs/scene-info.js';
import type { PairingInitiator } from './pairing/pairing-initiator.js';
import type { PairingResponder } from './pairing/pairing-responder.js';
import { resolvePairingTarget } from './pairing/pairing-target.js';
import type { TeamService } from './pairing/team-service.js';
import type { TeamWork } from './team-work.js';

/** The parts the calls go to. */
export interface ControlServices {
  views: AgentViews;
  events: AgentEvents;
  settings: AgentSettings;
  capacity: CapacityProbe;
  history: CapacityHistoryLog;
  teams: TeamService;
  nearbyList: NearbyList;
  manual: ManualAddresses;
  initiator: PairingInitiator;
  responder: PairingResponder;
  work: TeamWork;
  taskImages: TaskImages;
  uploads: UploadStore;
  /** Puts Troupe's add-on into this machine's Blender. */
  /** What this machine's engines offer to do here (the engine registry). */
  engines: { actions(): EngineActionInfo[]; runAction(engine: string, action: string): Promise<EngineActionDone> };
  /** One-time browser login links (the control server mints them: it knows its port). */
  loginLink(): { url: string; expiresAtMs: number };
}

export class AgentControl implements ControlApiHandlers {
  constructor(private readonly s: ControlServices) {}

  subscribe(listener: (event: ControlEvent) => void): () => void {
    return this.s.events.subscribe(listener);
  }

  // ---- this machine ----

  status(): AgentStatus {
    return this.s.views.status();
  }

  async setSharing(change: Partial<SharingSetting>): Promise<AgentStatus> {
    await this.s.settings.setSharing(change);
    const status = this.status();
    this.s.events.emit({ type: 'statusChanged', status });
    this.s.events.emit({ type: 'teamChanged', team: this.s.views.team() }); // this machine's card shows its setting too
    return status;
  }

  async rename(name: string): Promise<AgentStatus> {
    await this.s.settings.rename(name);
    const status = this.status();
    this.s.events.emit({ type: 'statusChanged', status });
    return status;
  }

  /** The desktop shell's report of the owner's absence; "only when idle" reads it. */
  setPresence(idleSeconds: number): AgentStatus {
    this.s.capacity.setPresence(idleSeconds);
    return this.status();
  }

  engineActions(): EngineActionInfo[] {
    return this.s.engines.actions();
  }

  runEngineAction(engine: string, action: string): Promise<EngineActionDone> {
    return this.s.engines.runAction(engine, action);
  }

  capacityHistory(): CapacityHistory {
    return this.s.history.history();
  }

  /** A one-time link into the browser UI (printed by `npm start` without a display, and `troupe open`). */
  loginLink(): { url: string; expiresAtMs: number } {
    return this.s.loginLink();
  }

  // ---- nearby and the team ----

  nearby(): NearbyDevice[] {
    return this.s.views.nearby();
  }

  async addNearby(address: string): Promise<NearbyDevice> {
    const a = await this.s.manual.add(address);
    return this.nearby().find((n) => n.deviceId === a.deviceId)!;
  }

  team(): TeamView | null {
    return this.s.views.team();
  }

  async renameTeam(name: string): Promise<TeamView> {
    await this.s.teams.rename(name);
    return this.s.views.team()!;
  }

  async removeMember(member: string): Promise<void> {
    await this.s.teams.remove(member);
  }

  // ---- pairing ----

  async startPairing(target: string): Promise<Pairing> {
    const { address, expectedId } = resolvePairingTarget(target, this.s.nearbyList.list());
    return this.s.initiator.start(address, expectedId);
  }

  pairing(id: string): Pairing | undefined {
    return this.s.initiator.get(id);
  }

  confirmPairing(id: string): Pairing {
    return this.s.initiator.confirm(id);
  }

  declinePairing(id: string): void {
    this.s.initiator.decline(id);
  }

  pairRequests(): PairRequest[] {
    return this.s.responder.list();
  }

  acceptRequest(id: string): Promise<void> {
    return this.s.responder.accept(id);
  }

  rejectRequest(id: string): void {
    this.s.responder.reject(id);
  }

  // ---- jobs ----

  submitJob(body: SubmitJob): Promise<JobView> {
    return this.s.work.submitJob(body);
  }

  previewJob(body: SubmitJob): Promise<JobPreview> {
    return this.s.work.previewJob(body);
  }

  commandJob(body: CommandJob): Promise<{ job: JobView | null; preview: JobPreview | null }> {
    return this.s.work.commandJob(body);
  }

  jobs(): JobView[] {
    return this.s.work.coordinator.list();
  }

  job(jobId: string): { job: JobView; tasks: TaskView[] } {
    return this.s.work.job(jobId);
  }

  jobSummary(jobId: string): JobView {
    return this.s.work.coordinator.view(jobId);
  }

  cancelJob(jobId: string): JobView {
    return this.s.work.coordinator.cancel(jobId);
  }

  pauseJob(jobId: string): JobView {
    return this.s.work.coordinator.pause(jobId);
  }

  resumeJob(jobId: string): JobView {
    return this.s.work.coordinator.resume(jobId);
  }

  setJobPriority(jobId: string, priority: number): JobView {
    return this.s.work.coordinator.setPriority(jobId, priority);
  }

  jobTable(jobId: string, table: string, sortKey: string): Promise<ResultTable> {
    return this.s.work.coordinator.table(jobId, table, sortKey);
  }

  openOutput(jobId: string): Promise<OpenedFolder> {
    return openFolder(this.s.work.coordinator.view(jobId).submission.outputDir);
  }

  inspectScene(scenePath: string): Promise<SceneInfo> {
    return inspectScene(scenePath);
  }

  taskImage(jobId: string, taskId: string): Promise<Buffer> {
    return this.s.taskImages.png(jobId, taskId);
  }

  upload(uploadId: string, fileName: string, body: IncomingMessage): Promise<Upload> {
    return this.s.uploads.put(uploadId, fileName, body);
  }
}
