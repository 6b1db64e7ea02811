// Owns the wiring of one headless agent: identity, discovery, team, links, pairing, the job
// system and the control API. Each part's logic lives in its own module; this file only builds
// them and connects their events.

import { mkdir, writeFile, rm } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import type { DeviceId } from '../../shared/model/index.js';
import { PROTOCOL_VERSION } from '../../shared/protocol/index.js';
import { AgentControl } from './agent-control.js';
import { AgentEvents } from './agent-events.js';
import { AgentSettings } from './agent-settings.js';
import { AgentViews } from './agent-views.js';
import { CapacityChangeGate } from './capacity/capacity-change.js';
import { CapacityHistoryLog } from './capacity/capacity-history.js';
import { CapacityProbe } from './capacity/capacity-probe.js';
import { DEFAULT_PEER_PORT, DEFAULT_TASK_TIME_LIMIT_MS, isLoopback, type AgentConfig } from './config/agent-config.js';
import { CONTROL_ENDPOINT_FILE, createControlToken } from './control-api/control-token.js';
import { ControlServer } from './control-api/control-server.js';
import { UploadStore } from './control-api/upload-store.js';
import { TaskImages } from './coordinator/task-images.js';
import { ManualAddresses } from './discovery/manual-addresses.js';
import { MdnsPeerFinder, osLabel, resolveInterfaceAddress } from './discovery/mdns-peer-finder.js';
import { NearbyList } from './discovery/nearby-list.js';
import type { Announcement, PeerFinder } from './discovery/peer-finder.js';
import { formatDeviceId } from './identity/device-id.js';
import { loadOrCreateIdentity, type Identity } from './identity/identity-store.js';
import { PairingInitiator } from './pairing/pairing-initiator.js';
import { PairingResponder } from './pairing/pairing-responder.js';
import { RosterSync } from './pairing/roster-sync.js';
import { TeamService } from './pairing/team-service.js';
import { AgentStateFiles } from './storage/agent-state-files.js';
import { BlobStore } from './storage/blob-store.js';
import { registeredEngines } from './engines/registered-engines.js';
import { TeamWork } from './team-work.js';
import { addExtraFieldToFrames } from './transport/frame-codec.js';
import { LinkManager } from './transport/link-manager.js';
import { RosterExchange } from './transport/roster-exchange.js';
import { TlsListener } from './transport/tls-listener.js';

export { AGENT_VERSION } from './agent-views.js';

/**
 * The composition root: builds every part, wires their events to each other, and stops them in
 * order. What the control API's calls do is `control` (agent-control.ts); what it reads is
 * `views` (agent-views.ts).
 */
export class Agent {
  private readonly events = new AgentEvents();
  private readonly nearbyList = new NearbyList();
  private readonly settings: AgentSettings;
  private readonly views: AgentViews;
  private manual!: ManualAddresses;
  private listener!: TlsListener;
  private links!: LinkManager;
  private finder!: PeerFinder;
  private server!: ControlServer;
  /** The control API's calls, for this process's own callers (tests, the CLI's `agent`). */
  control!: AgentControl;
  private initiator!: PairingInitiator;
  private responder!: PairingResponder;
  private work!: TeamWork;
  private rosterSync!: RosterSync;
  private rosterExchange!: RosterExchange;
  private history!: CapacityHistoryLog;
  /** Teammates' heartbeats carry their capacity; the app hears of it when it visibly changed. */
  private readonly capacityGate = new CapacityChangeGate(() => this.emitTeam());
  private taskImages!: TaskImages;
  /** The engines of this build (registered-engines.ts): what it can coordinate and run. */
  private readonly engines: ReturnType<typeof registeredEngines>;
  private uploads!: UploadStore;
  listenPort = 0;
  controlPort = 0;

  private constructor(
    readonly config: AgentConfig,
    readonly identity: Identity,
    name: string,
    private readonly capacity: CapacityProbe,
    files: AgentStateFiles,
    readonly teams: TeamService,
    private readonly blobs: BlobStore,
    private readonly log: (line: string) => void,
  ) {
    this.engines = registeredEngines({ privateFolders: [config.dataDir] });
    this.settings = new AgentSettings(name, capacity, files, teams, () => this.finder.update(this.announcement()));
    this.views = new AgentViews({
      config,
      identity,
      name: () => this.settings.name,
      listenPort: () => this.listenPort,
      capacity,
      engines: () => this.engines.adverts(),
      teams,
      nearbyList: this.nearbyList,
      link: (id) => this.links?.state(id) ?? null,
      pairingLockedUntil: () => this.responder.lockedUntil(),
      transfers: () => ({ ...this.work.fetcher.totals }),
    });
  }

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
    await this.settings.save();
    await this.engines.detect(this.log); // before anything announces what this machine runs
    this.initiator = new PairingInitiator({
      identity: this.identity,
      selfName: () => this.settings.name,
      teamName: () => this.teams.roster.current?.teamName ?? `${this.settings.name}'s team`.slice(0, 64),
      listenPort: () => this.listenPort,
      isMember: (id) => this.teams.roster.isMember(id),
      admit: (peer, name, address) => this.teams.admit(peer, name, address, this.settings.name),
      pairingChanged: (pairing) => this.events.emit({ type: 'pairingChanged', pairing }),
    });
    this.responder = new PairingResponder({
      selfId: this.identity.deviceId,
      selfName: () => this.settings.name,
      isMember: (id) => this.teams.roster.isMember(id),
      joinTeam: (ops, initiator, address) =>
        this.teams.join(ops, initiator, address, (leave) =>
          this.links.broadcast({ type: 'roster.ops', ops: [leave], answer: false, more: false }),
        ),
      requestReceived: (request) => this.events.emit({ type: 'pairRequestReceived', request }),
      requestClosed: (requestId, outcome) => this.events.emit({ type: 'pairRequestClosed', requestId, outcome }),
      pairingLocked: (locked) => {
        this.events.emit({ type: 'pairingLocked', ...locked });
        this.events.emit({ type: 'statusChanged', status: this.views.status() });
      },
      pairRequestsRefused: (notice) => this.events.emit({ type: 'pairRequestsRefused', ...notice }),
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
      engines: this.engines,
      links: {
        send: (id, m) => this.links.send(id, m),
        broadcast: (m) => this.links?.broadcast(m),
        state: (id) => this.links.state(id),
        markHasWork: (id) => this.links.markHasWork(id),
      },
      onlineTeammates: () => this.teams.teammates().filter((id) => this.links.state(id)?.online),
      taskTimeLimitMs: config.taskTimeLimitMs === undefined ? DEFAULT_TASK_TIME_LIMIT_MS : config.taskTimeLimitMs,
      emit: (event) => this.events.emit(event),
      log: this.log,
    });
    this.links = new LinkManager({
      identity: this.identity,
      listenPort: () => this.listenPort,
      selfName: () => this.settings.name,
      // Teammates' coordinators lease a job only to workers that advertise its engine.
      capacity: () => ({ ...this.capacity.read(), engines: this.engines.adverts() }),
      hasWork: () => this.work.hasWork(),
      leasesHeld: () => this.work.leasesHeld(),
      teammates: () => this.teams.teammates(),
      addressesOf: (id) => this.addressesOf(id),
      rosterHeads: () => this.teams.heads(),
      version: config.futureBuild,
      log: this.log,
    });
    this.rosterExchange = new RosterExchange({
      identity: this.identity,
      selfName: () => this.settings.name,
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
      this.events.emit({ type: 'memberIncompatible', deviceId: id, reason });
    });
    this.links.on('online', (id, name) => {
      this.work.teammateOnline(id);
      this.rosterSync.linkOnline(id);
      this.events.emit({ type: 'memberOnline', deviceId: id, name });
      this.emitTeam();
    });
    this.links.on('offline', (id, reason) => {
      this.rosterSync.linkOffline(id);
      this.work.teammateOffline(id);
      this.events.emit({ type: 'memberOffline', deviceId: id, name: this.links.state(id)?.name ?? '', reason });
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

    this.taskImages = new TaskImages(this.work.coordinator);
    this.uploads = new UploadStore(config.dataDir);
    void this.uploads.sweep().catch(() => undefined);
    this.history = new CapacityHistoryLog(
      () => this.views.teamOrSelf(),
      (sample) => this.events.emit({ type: 'capacitySampled', sample }),
    );
    const token = await createControlToken(config.dataDir);
    this.control = new AgentControl({
      views: this.views,
      events: this.events,
      settings: this.settings,
      capacity: this.capacity,
      history: this.history,
      teams: this.teams,
      nearbyList: this.nearbyList,
      manual: (this.manual = new ManualAddresses(this.identity, (a) => this.onSeen(a, 'manual'))),
      initiator: this.initiator,
      responder: this.responder,
      work: this.work,
      taskImages: this.taskImages,
      uploads: this.uploads,
      loginLink: () => this.server.loginLink(),
      engines: this.engines,
    });
    this.server = new ControlServer(this.control, token, {
      extraOrigins: config.extraOrigins,
      uiDir: config.uiDir ?? join(import.meta.dirname, '../../renderer'),
    });
    this.controlPort = await this.server.listen(config.controlPort);
    await writeFile(join(config.dataDir, CONTROL_ENDPOINT_FILE), JSON.stringify({ port: this.controlPort, pid: process.pid }) + '\n', {
      mode: 0o600,
    });

    this.finder = new MdnsPeerFinder({ interfaceSetting: config.interfaceAddress, log: this.log });
    this.finder.onSeen((a) => this.onSeen(a, 'mdns'));
    this.finder.onGone((id) => this.nearbyList.gone(id));
    this.nearbyList.on('changed', (changed, gone) => this.events.emit({ type: 'nearbyChanged', changed: this.views.nearbyDevices(changed), gone }));
    await this.finder.start(this.announcement());
  }

  async stop(): Promise<void> {
    this.manual.close();
    this.history.close();
    this.capacityGate.close();
    await this.finder.stop(); // goodbye packets first, so teammates drop us at once
    await this.server.close();
    this.rosterExchange.close();
    await this.links.close(); // no message may reach the job system after it closes its journal
    await this.listener.close();
    await this.teams.flush();
    await this.work.close();
    this.capacity.close();
    this.nearbyList.close();
    await rm(join(this.config.dataDir, CONTROL_ENDPOINT_FILE), { force: true });
  }

  // ---- internals ----

  private emitTeam(): void {
    this.events.emit({ type: 'teamChanged', team: this.views.team() });
  }

  private onSeen(a: Announcement, source: 'mdns' | 'manual'): void {
    const isNew = !this.nearbyList.get(a.deviceId);
    const member = this.teams.roster.isMember(a.deviceId);
    if (!this.nearbyList.seen(a, source, { from: a.from ?? a.addresses[0] ?? '', exempt: member || source === 'manual' })) return;
    if (isNew && member) this.links.nudge(a.deviceId);
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
      name: this.settings.name,
      os: osLabel(),
      cores: os.availableParallelism(),
      memoryBytes: os.totalmem(),
      engines: this.engines.announced(),
      protocolVersion: PROTOCOL_VERSION,
      port: this.listenPort,
    };
  }
}
