// Owns the wiring of one headless agent: identity, discovery, team, links, pairing and the
// control API, and the events the UI and CLI see. Each part's logic lives in its own module.

import { EventEmitter } from 'node:events';
import { mkdir, writeFile, rm } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { TroupeError } from '../../shared/errors.js';
import type { AgentStatus, ControlEvent, Pairing, PairRequest } from '../../shared/control-api/index.js';
import type { DeviceId, NearbyDevice, SharingSetting, TeamView } from '../../shared/model/index.js';
import { ENGINE_ID } from '../../shared/model/jobs.js';
import { PROTOCOL_VERSION } from '../../shared/protocol/index.js';
import { CapacityProbe } from './capacity/capacity-probe.js';
import { DEFAULT_PEER_PORT, defaultOutputDir, isLoopback, type AgentConfig } from './config/agent-config.js';
import { CapacityHistoryLog } from './capacity/capacity-history.js';
import { CapacityChangeGate } from './capacity/capacity-change.js';
import { TaskImages } from './coordinator/task-images.js';
import { UploadStore } from './control-api/upload-store.js';
import { openFolder } from './control-api/open-folder.js';
import { inspectScene } from './jobs/scene-info.js';
import type { IncomingMessage } from 'node:http';
import type { CapacityHistory, OpenedFolder, SceneInfo, Upload } from '../../shared/control-api/index.js';
import { CONTROL_ENDPOINT_FILE, loadOrCreateControlToken } from './control-api/control-token.js';
import { ControlServer, type ControlApiHandlers } from './control-api/control-server.js';
import { parseHostPort, probeAddress } from './discovery/address-probe.js';
import { MdnsPeerFinder, osLabel, resolveInterfaceAddress } from './discovery/mdns-peer-finder.js';
import { NearbyList } from './discovery/nearby-list.js';
import type { Announcement, PeerFinder } from './discovery/peer-finder.js';
import { formatDeviceId } from './identity/device-id.js';
import { loadOrCreateIdentity, type Identity } from './identity/identity-store.js';
import { PairingInitiator } from './pairing/pairing-initiator.js';
import { PairingResponder } from './pairing/pairing-responder.js';
import { resolvePairingTarget } from './pairing/pairing-target.js';
import { RosterSync } from './pairing/roster-sync.js';
import { TeamService } from './pairing/team-service.js';
import { AgentStateFiles } from './storage/agent-state-files.js';
import { BlobStore } from './storage/blob-store.js';
import { LinkManager } from './transport/link-manager.js';
import type { JobView, SubmitJob, TaskView } from '../../shared/control-api/index.js';
import { TlsListener } from './transport/tls-listener.js';
import { RosterExchange } from './transport/roster-exchange.js';
import { addExtraFieldToFrames } from './transport/frame-codec.js';
import { TeamWork } from './team-work.js';

export const AGENT_VERSION = '0.1.0';
const MANUAL_PROBE_INTERVAL_MS = 3000;

export class Agent implements ControlApiHandlers {
  private readonly events = new EventEmitter<{ event: [ControlEvent] }>();
  private readonly nearbyList = new NearbyList();
  private readonly manualAddresses = new Set<string>();
  private readonly timers: NodeJS.Timeout[] = [];
  private listener!: TlsListener;
  private links!: LinkManager;
  private finder!: PeerFinder;
  private control!: ControlServer;
  private initiator!: PairingInitiator;
  private responder!: PairingResponder;
  private work!: TeamWork;
  private rosterSync!: RosterSync;
  private rosterExchange!: RosterExchange;
  private history!: CapacityHistoryLog;
  /** Teammates' heartbeats carry their capacity; the app hears of it when it visibly changed. */
  private readonly capacityGate = new CapacityChangeGate(() => this.emitTeam());
  private taskImages!: TaskImages;
  private uploads!: UploadStore;
  listenPort = 0;
  controlPort = 0;

  private constructor(
    readonly config: AgentConfig,
    readonly identity: Identity,
    private name: string,
    private readonly capacity: CapacityProbe,
    private readonly files: AgentStateFiles,
    readonly teams: TeamService,
    private readonly blobs: BlobStore,
    private readonly log: (line: string) => void,
  ) {}

  static async start(config: AgentConfig, log: (line: string) => void = () => undefined): Promise<Agent> {
    await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
    const files = new AgentStateFiles(config.dataDir);
    const [settings, teamFile] = [await files.readSettings(), await files.readTeam()];
    if (teamFile.movedAside)
      log(
        `This machine's team was made by an earlier Troupe (protocol 1), whose roster cannot be checked now; it was moved to ${teamFile.movedAside}. Pair your machines again.`,
      );
    const identity = await loadOrCreateIdentity(config.dataDir, { allowNew: config.newIdentity, hasTeam: teamFile.ops.length > 0 });
    const keepTeam = !config.newIdentity;
    const team = new TeamService(identity, files, keepTeam ? teamFile.ops : [], keepTeam ? teamFile.addresses : {});
    const name = config.name ?? settings.name ?? os.hostname();
    const capacity = new CapacityProbe(settings.sharing ?? { mode: 'on', coreCap: null });
    const agent = new Agent(config, identity, name, capacity, files, team, new BlobStore(join(config.dataDir, 'blobs')), log);
    await agent.boot();
    return agent;
  }

  private async boot(): Promise<void> {
    const { config } = this;
    if (config.futureBuild) {
      addExtraFieldToFrames(config.futureBuild.extraField);
      this.teams.roster.extraOpFields = { [config.futureBuild.extraField]: 'a field from a later build' };
    }
    await this.files.writeSettings({ name: this.name, sharing: this.capacity.getSharing() });
    this.initiator = new PairingInitiator({
      identity: this.identity,
      selfName: () => this.name,
      teamName: () => this.teams.roster.current?.teamName ?? `${this.name}'s team`.slice(0, 64),
      listenPort: () => this.listenPort,
      isMember: (id) => this.teams.roster.isMember(id),
      admit: (peer, name, address) => this.teams.admit(peer, name, address, this.name),
      pairingChanged: (pairing) => this.emit({ type: 'pairingChanged', pairing }),
    });
    this.responder = new PairingResponder({
      selfId: this.identity.deviceId,
      selfName: () => this.name,
      isMember: (id) => this.teams.roster.isMember(id),
      joinTeam: (ops, initiator, address) =>
        this.teams.join(ops, initiator, address, (leave) =>
          this.links.broadcast({ type: 'roster.ops', ops: [leave], answer: false, more: false }),
        ),
      requestReceived: (request) => this.emit({ type: 'pairRequestReceived', request }),
      requestClosed: (requestId, outcome) => this.emit({ type: 'pairRequestClosed', requestId, outcome }),
      pairingLocked: (locked) => {
        this.emit({ type: 'pairingLocked', ...locked });
        this.emit({ type: 'statusChanged', status: this.status() });
      },
      pairRequestsRefused: (notice) => this.emit({ type: 'pairRequestsRefused', ...notice }),
    });
    this.listener = new TlsListener(this.identity, {
      isMember: (id) => this.teams.roster.isMember(id),
      isRevoked: (id) => this.teams.roster.isRemoved(id),
      publicInfo: () => this.publicInfo(),
      onLink: (ws, peer, remote) => this.links.accept(ws, peer.deviceId, remote),
      onRoster: (ws, peer, remote) => this.rosterExchange.accept(ws, peer.deviceId, remote),
      onPair: (ws, peer, remote, tls) =>
        void this.responder.handle(ws, peer, remote, tls).catch((err) => this.log(`pairing: ${(err as Error).message}`)),
      blobs: this.blobs,
    });
    const interfaceAddress = config.interfaceAddress === undefined ? undefined : resolveInterfaceAddress(config.interfaceAddress);
    const host = isLoopback(interfaceAddress) ? '127.0.0.1' : undefined;
    this.listenPort = await this.listener.listen(config.port, host).catch(async (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EADDRINUSE' || config.port !== DEFAULT_PEER_PORT) throw err;
      this.log(`port ${config.port} is taken; using a free one`);
      return this.listener.listen(0, host);
    });
    this.work = new TeamWork({
      identity: this.identity,
      blobs: this.blobs,
      dataDir: config.dataDir,
      capacity: this.capacity,
      links: {
        send: (id, m) => this.links.send(id, m),
        broadcast: (m) => this.links?.broadcast(m),
        state: (id) => this.links.state(id),
        markHasWork: (id) => this.links.markHasWork(id),
      },
      onlineTeammates: () => this.teams.teammates().filter((id) => this.links.state(id)?.online),
      emit: (event) => this.emit(event),
      log: this.log,
    });
    this.links = new LinkManager({
      identity: this.identity,
      listenPort: () => this.listenPort,
      selfName: () => this.name,
      capacity: () => this.capacity.read(),
      hasWork: () => this.work.hasWork(),
      teammates: () => this.teams.teammates(),
      addressesOf: (id) => this.addressesOf(id),
      rosterHeads: () => this.teams.heads(),
      version: config.futureBuild,
      log: this.log,
    });
    this.rosterExchange = new RosterExchange({
      identity: this.identity,
      selfName: () => this.name,
      listenPort: () => this.listenPort,
      capacity: () => this.capacity.read(),
      rosterHeads: () => this.teams.heads(),
      log: this.log,
    });
    this.rosterSync = new RosterSync(this.teams, {
      send: (id, m) => (this.links.state(id)?.online ? this.links.send(id, m) : void this.rosterExchange.send(id, m)),
      draining: (id) => (this.links.state(id)?.online ? this.links.draining(id) : this.rosterExchange.draining(id)),
      linked: () => [...new Set([...this.links.onlinePeers(), ...this.rosterExchange.peers()])],
    });
    this.rosterExchange.on('opened', (id) => this.rosterSync.linkOffline(id));
    this.rosterExchange.on('heads', (id, heads) => this.rosterSync.heads(id, heads));
    this.rosterExchange.on('message', (id, m) => {
      // A device we hold removed may tell us ops of others (it may have the removal we lack), and
      // of its own only a removal of a member that removed it (the one op of its own that can
      // still count, §6.3): anything else it signs is void, and storing it would only cost us.
      if (m.type === 'roster.ops' && this.teams.roster.isRemoved(id)) {
        const removers = this.teams.roster.removersOf(id);
        m = { ...m, ops: m.ops.filter((op) => op.by !== id || (op.kind === 'remove' && removers.has(String(op.subject)))) };
      }
      this.rosterSync.message(id, m);
    });
    this.teams.on('log', (line) => this.log(line));
    this.links.on('heartbeat', (id) => {
      this.work.heartbeat(id);
      this.capacityGate.heard(id, this.links.state(id)?.capacity);
    });
    this.links.on('heads', (id, heads) => this.rosterSync.heads(id, heads));
    // A teammate that does not count us as a member may hold a removal we lack, or believe one we
    // know is void: compare rosters on a roster-only link, or we could stay split for good.
    this.links.on('refused', (id, address, status) => status === 403 && this.rosterExchange.dial(id, address));
    this.links.on('incompatible', (id, reason) => {
      this.log(reason);
      this.emit({ type: 'memberIncompatible', deviceId: id, reason });
    });
    this.links.on('online', (id, name) => {
      this.work.teammateOnline(id);
      this.rosterSync.linkOnline(id);
      this.emit({ type: 'memberOnline', deviceId: id, name });
      this.emitTeam();
    });
    this.links.on('offline', (id, reason) => {
      this.rosterSync.linkOffline(id);
      this.work.teammateOffline(id);
      this.emit({ type: 'memberOffline', deviceId: id, name: this.links.state(id)?.name ?? '', reason });
      this.emitTeam();
    });
    this.links.on('linkAddress', (id, address) => this.teams.noteAddress(id, address));
    this.links.on('message', (id, message) => {
      if (message.type === 'roster.want' || message.type === 'roster.ops' || message.type === 'team.addresses')
        this.rosterSync.message(id, message);
      else if (message.type === 'error') this.log(`teammate ${formatDeviceId(id).slice(0, 7)} reported: ${message.message}`);
      else this.work.message(id, message);
    });
    this.teams.on('changed', () => {
      // RosterSync has already sent the ops behind this change to every linked teammate (a
      // removed one too, so it learns it is out); only now are links to non-members closed.
      this.links.prune();
      for (const id of this.teams.teammates()) if (this.rosterExchange.has(id)) this.rosterExchange.end(id);
      this.emitTeam();
    });

    this.taskImages = new TaskImages(this.work.coordinator, this.blobs);
    this.uploads = new UploadStore(config.dataDir);
    void this.uploads.sweep().catch(() => undefined);
    this.history = new CapacityHistoryLog(
      () => this.teamView() ?? this.soloView(),
      (sample) => this.emit({ type: 'capacitySampled', sample }),
    );
    const token = await loadOrCreateControlToken(config.dataDir);
    this.control = new ControlServer(this, token, {
      extraOrigins: config.extraOrigins,
      uiDir: config.uiDir ?? join(import.meta.dirname, '../../renderer'),
    });
    this.controlPort = await this.control.listen(config.controlPort);
    await writeFile(join(config.dataDir, CONTROL_ENDPOINT_FILE), JSON.stringify({ port: this.controlPort, pid: process.pid }) + '\n', {
      mode: 0o600,
    });

    this.finder = new MdnsPeerFinder({ interfaceSetting: config.interfaceAddress, log: this.log });
    this.finder.onSeen((a) => this.onSeen(a, 'mdns'));
    this.finder.onGone((id) => this.nearbyList.gone(id));
    this.nearbyList.on('changed', () => this.emit({ type: 'nearbyChanged', nearby: this.nearby() }));
    await this.finder.start(this.announcement());
    this.timers.push(setInterval(() => this.probeManualAddresses(), MANUAL_PROBE_INTERVAL_MS));
  }

  async stop(): Promise<void> {
    this.timers.forEach(clearInterval);
    this.history.close();
    this.capacityGate.close();
    await this.finder.stop(); // goodbye packets first, so teammates drop us at once
    await this.control.close();
    this.rosterExchange.close();
    await this.links.close(); // no message may reach the job system after it closes its journal
    await this.listener.close();
    await this.teams.flush();
    await this.work.close();
    this.capacity.close();
    this.nearbyList.close();
    await rm(join(this.config.dataDir, CONTROL_ENDPOINT_FILE), { force: true });
  }

  // ---- jobs (control API) ----

  submitJob(body: SubmitJob): Promise<JobView> {
    return this.work.submitJob(body);
  }

  jobs(): JobView[] {
    return this.work.coordinator.list();
  }

  job(jobId: string): { job: JobView; tasks: TaskView[] } {
    return this.work.job(jobId);
  }

  cancelJob(jobId: string): JobView {
    return this.work.coordinator.cancel(jobId);
  }

  pauseJob(jobId: string): JobView {
    return this.work.coordinator.pause(jobId);
  }

  resumeJob(jobId: string): JobView {
    return this.work.coordinator.resume(jobId);
  }

  setJobPriority(jobId: string, priority: number): JobView {
    return this.work.coordinator.setPriority(jobId, priority);
  }

  openOutput(jobId: string): Promise<OpenedFolder> {
    return openFolder(this.work.coordinator.view(jobId).submission.outputDir);
  }

  inspectScene(scenePath: string): Promise<SceneInfo> {
    return inspectScene(scenePath);
  }

  taskImage(jobId: string, taskId: string): Promise<Buffer> {
    return this.taskImages.png(jobId, taskId);
  }

  upload(uploadId: string, fileName: string, body: IncomingMessage): Promise<Upload> {
    return this.uploads.put(uploadId, fileName, body);
  }

  capacityHistory(): CapacityHistory {
    return this.history.history();
  }

  /** The desktop shell's report of the owner's absence; "only when idle" reads it. */
  setPresence(idleSeconds: number): AgentStatus {
    this.capacity.setPresence(idleSeconds);
    return this.status();
  }

  /** A one-time link into the browser UI (printed by `npm start` without a display, and `troupe open`). */
  loginLink(): { url: string; expiresAtMs: number } {
    return this.control.loginLink();
  }

  // ---- ControlApiHandlers ----

  status(): AgentStatus {
    const state = this.teams.roster.current;
    const teammates = this.teams.teammates().map((id) => this.links.state(id));
    const self = this.capacity.read();
    const online = teammates.filter((s) => s?.online);
    return {
      deviceId: this.identity.deviceId,
      deviceIdDisplay: formatDeviceId(this.identity.deviceId),
      name: this.name,
      version: AGENT_VERSION,
      protocolVersion: PROTOCOL_VERSION,
      listenPort: this.listenPort,
      addresses: localAddresses(
        this.config.interfaceAddress === undefined ? undefined : resolveInterfaceAddress(this.config.interfaceAddress),
      ),
      team: state ? { teamId: state.teamId, name: state.teamName, members: state.members.size, online: online.length + 1 } : null,
      sharing: this.capacity.getSharing(),
      capacity: self,
      teamFreeCores: online.reduce((sum, s) => sum + (s?.capacity?.freeCores ?? 0), self.freeCores),
      teamCores: online.reduce((sum, s) => sum + (s?.capacity?.cores ?? 0), self.cores),
      transfers: { ...this.work.fetcher.totals },
      pairingLockedUntilMs: this.responder.lockedUntil(),
      defaultOutputDir: this.config.outputDir ?? defaultOutputDir(),
      userIdleSeconds: this.capacity.userIdleSeconds(),
    };
  }

  nearby(): NearbyDevice[] {
    return this.nearbyList.list().map((e) => ({ ...e, member: this.teams.roster.isMember(e.deviceId) }));
  }

  async addNearby(address: string): Promise<NearbyDevice> {
    const { host, port } = parseHostPort(address);
    const a = await probeAddress(this.identity, `${host}:${port}`);
    if (a.deviceId === this.identity.deviceId) throw new TroupeError('bad-request', `${address} is this machine`);
    this.manualAddresses.add(`${host}:${port}`);
    this.onSeen(a, 'manual');
    return this.nearby().find((n) => n.deviceId === a.deviceId)!;
  }

  team(): TeamView | null {
    return this.teamView();
  }

  async startPairing(target: string): Promise<Pairing> {
    const { address, expectedId } = resolvePairingTarget(target, this.nearbyList.list());
    return this.initiator.start(address, expectedId);
  }

  pairing(id: string): Pairing | undefined {
    return this.initiator.get(id);
  }

  confirmPairing(id: string): Pairing {
    return this.initiator.confirm(id);
  }

  declinePairing(id: string): void {
    this.initiator.decline(id);
  }

  pairRequests(): PairRequest[] {
    return this.responder.list();
  }

  acceptRequest(id: string): Promise<void> {
    return this.responder.accept(id);
  }

  rejectRequest(id: string): void {
    this.responder.reject(id);
  }

  async removeMember(member: string): Promise<void> {
    await this.teams.remove(member);
  }

  async setSharing(change: Partial<SharingSetting>): Promise<AgentStatus> {
    this.capacity.setSharing({ ...this.capacity.getSharing(), ...change });
    await this.files.writeSettings({ name: this.name, sharing: this.capacity.getSharing() });
    const status = this.status();
    this.emit({ type: 'statusChanged', status });
    this.emitTeam(); // this machine's card in the team shows its setting too
    return status;
  }

  async rename(name: string): Promise<AgentStatus> {
    this.name = name;
    await this.files.writeSettings({ name, sharing: this.capacity.getSharing() });
    await this.teams.renameSelf(name);
    this.finder.update(this.announcement());
    const status = this.status();
    this.emit({ type: 'statusChanged', status });
    return status;
  }

  async renameTeam(name: string): Promise<TeamView> {
    await this.teams.rename(name);
    return this.teamView()!;
  }

  subscribe(listener: (event: ControlEvent) => void): () => void {
    this.events.on('event', listener);
    return () => this.events.off('event', listener);
  }

  // ---- internals ----

  private emit(event: ControlEvent): void {
    this.events.emit('event', event);
  }

  private emitTeam(): void {
    this.emit({ type: 'teamChanged', team: this.teamView() });
  }

  private teamView(): TeamView | null {
    const state = this.teams.roster.current;
    if (!state) return null;
    const selfId = this.identity.deviceId;
    return {
      teamId: state.teamId,
      name: state.teamName,
      members: this.teams.members().map((m) => {
        const link = m.deviceId === selfId ? null : this.links.state(m.deviceId);
        return {
          deviceId: m.deviceId,
          name: m.deviceId === selfId ? this.name : (link?.name ?? m.name),
          addedBy: m.addedBy,
          online: m.deviceId === selfId || (link?.online ?? false),
          self: m.deviceId === selfId,
          address: link?.address ?? null,
          capacity: m.deviceId === selfId ? this.capacity.read() : (link?.capacity ?? null),
          lastHeartbeatMs: link?.lastHeartbeatMs ?? null,
        };
      }),
    };
  }

  /** This machine alone, for the capacity chart before it has a team. */
  private soloView(): TeamView {
    const selfId = this.identity.deviceId;
    const capacity = this.capacity.read();
    return {
      teamId: '',
      name: '',
      members: [{ deviceId: selfId, name: this.name, addedBy: selfId, online: true, self: true, address: null, capacity, lastHeartbeatMs: null }],
    };
  }

  private onSeen(a: Announcement, source: 'mdns' | 'manual'): void {
    const isNew = !this.nearbyList.get(a.deviceId);
    this.nearbyList.seen(a, source);
    if (isNew && this.teams.roster.isMember(a.deviceId)) this.links.nudge(a.deviceId);
  }

  private async probeManualAddresses(): Promise<void> {
    for (const address of this.manualAddresses) {
      try {
        this.onSeen(await probeAddress(this.identity, address, 2000), 'manual');
      } catch {
        /* not answering now; it drops out of "nearby" when its last-seen ages */
      }
    }
  }

  private addressesOf(id: DeviceId): string[] {
    const seen = this.nearbyList.get(id);
    const fromNearby = seen ? seen.addresses.map((a) => `${a}:${seen.port}`) : [];
    return [...new Set([...fromNearby, ...this.teams.knownAddresses(id)])];
  }

  private announcement(): Announcement {
    return { ...this.publicInfo(), addresses: [] };
  }

  private publicInfo(): Omit<Announcement, 'addresses'> {
    return {
      deviceId: this.identity.deviceId,
      name: this.name,
      os: osLabel(),
      cores: os.availableParallelism(),
      memoryBytes: os.totalmem(),
      engines: [ENGINE_ID],
      protocolVersion: PROTOCOL_VERSION,
      port: this.listenPort,
    };
  }
}

function localAddresses(only?: string): string[] {
  const all = Object.values(os.networkInterfaces())
    .flat()
    .filter((i) => i && i.family === 'IPv4' && !i.internal)
    .map((i) => i!.address);
  return only ? [only] : all;
}
