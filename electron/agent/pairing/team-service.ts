// Owns this device's team: the roster and where teammates were last reached, kept on disk and
// told to the rest of the agent as events. Pairing asks it to admit or join; RosterSync feeds it
// what teammates send and passes on what it stores.

import { EventEmitter } from 'node:events';
import { TroupeError } from '../../../shared/errors.js';
import type { DeviceId } from '../../../shared/model/index.js';
import { MAX_REPORTED_HEADS, type RosterHeads, type RosterOp } from '../../../shared/protocol/index.js';
import type { Identity } from '../identity/identity-store.js';
import { formatDeviceId } from '../identity/device-id.js';
import type { AgentStateFiles } from '../storage/agent-state-files.js';
import type { PeerCertificate } from '../transport/peer-certificate.js';
import { TeamRoster, type MergeResult, type RosterMember } from './team-roster.js';
import type { OpId } from './roster-op.js';

const MAX_ADDRESSES_PER_MEMBER = 4;
/** team.json is written at most this often when ops arrive in bursts (a big sync is thousands). */
const SAVE_DEBOUNCE_MS = 250;
/** Ops from teammates are folded at most this often (a removal takes effect this much later). */
const SETTLE_MIN_MS = 50;

export class TeamService extends EventEmitter<{
  /** What people see of the team changed (members, names, removals). */
  changed: [];
  /** Ops newly stored here, to pass on to every linked teammate but `from`. */
  ops: [RosterOp[], DeviceId | null];
  removedSelf: [];
  log: [string];
}> {
  readonly roster: TeamRoster;
  private readonly addresses = new Map<DeviceId, string[]>();
  /** The heads each teammate last reported: what it holds (for compaction). */
  private readonly reportedHeads = new Map<DeviceId, OpId[]>();

  constructor(
    private readonly identity: Identity,
    private readonly files: AgentStateFiles,
    ops: RosterOp[],
    addresses: Record<string, string[]>,
  ) {
    super();
    this.roster = new TeamRoster(identity.deviceId, identity.certPem, identity.privateKey);
    const loaded = this.roster.replace(ops);
    if (loaded.refused.length > 0)
      this.deferLog(`team.json: ${loaded.refused.length} ops did not check out (${loaded.refused[0]}); they were left out`);
    if (this.roster.current && !this.roster.isMember(identity.deviceId)) this.roster.replace([]);
    for (const [id, list] of Object.entries(addresses))
      if (this.roster.isMember(id)) this.addresses.set(id, list.slice(0, MAX_ADDRESSES_PER_MEMBER));
  }

  get hasTeam(): boolean {
    return this.roster.current !== null;
  }

  teammates(): DeviceId[] {
    return [...(this.roster.current?.members.keys() ?? [])].filter((id) => id !== this.identity.deviceId);
  }

  members(): RosterMember[] {
    return [...(this.roster.current?.members.values() ?? [])];
  }

  /** What this device reports of its roster in hello and heartbeat. */
  heads(): RosterHeads | null {
    const teamId = this.roster.teamId;
    if (!teamId) return null;
    const heads = this.roster.heads();
    return { teamId, heads: heads.slice(0, MAX_REPORTED_HEADS), count: heads.length };
  }

  knownAddresses(id: DeviceId): string[] {
    return this.addresses.get(id) ?? [];
  }

  addressBook(): Record<string, string[]> {
    const book: Record<string, string[]> = {};
    for (const id of this.roster.current?.members.keys() ?? []) {
      const list = this.addresses.get(id);
      if (list?.length) book[id] = list.slice(0, MAX_ADDRESSES_PER_MEMBER);
    }
    return book;
  }

  /** Remembers where a teammate answered, most recent first. */
  noteAddress(id: DeviceId, address: string): void {
    if (!this.roster.isMember(id)) return;
    const list = this.addresses.get(id) ?? [];
    if (list[0] === address) return;
    this.addresses.set(id, [address, ...list.filter((a) => a !== address)].slice(0, MAX_ADDRESSES_PER_MEMBER));
    this.save();
  }

  /** Where a teammate says other members can be reached: kept only for members we have no address for. */
  noteHints(hints: Record<string, string[]>): void {
    let added = false;
    for (const [id, list] of Object.entries(hints)) {
      if (id === this.identity.deviceId || !this.roster.isMember(id) || this.addresses.has(id)) continue;
      this.addresses.set(id, list.slice(0, MAX_ADDRESSES_PER_MEMBER));
      added = true;
    }
    if (added) this.save();
  }

  /** A teammate's report of its roster; may let this device compact. */
  noteHeads(id: DeviceId, heads: RosterHeads | null): void {
    if (!heads || heads.teamId !== this.roster.teamId || !this.roster.isMember(id)) return;
    this.reportedHeads.set(id, heads.heads);
    this.maybeCompact();
  }

  /** Initiator side: sign the newcomer in, making a team first if this machine has none. Returns every op, parents first. */
  async admit(peer: PeerCertificate, name: string, address: string, selfName: string): Promise<RosterOp[]> {
    const fresh = !this.roster.current;
    if (fresh) this.roster.create(`${selfName}'s team`.slice(0, 64), selfName);
    const op = this.roster.add(peer.deviceId, name, peer.certPem);
    this.addresses.set(peer.deviceId, [address]);
    await this.changedByUs(fresh ? this.roster.allOps() : [op]);
    return this.roster.allOps();
  }

  /** Responder side: adopt the team we were welcomed into; a machine is on one team at a time. */
  async join(ops: RosterOp[], initiator: DeviceId, initiatorAddress: string, leaveOldTeam: (op: RosterOp) => void): Promise<void> {
    const probe = new TeamRoster(this.identity.deviceId, this.identity.certPem, this.identity.privateKey);
    probe.replace(ops);
    const state = probe.current;
    const self = state?.members.get(this.identity.deviceId);
    if (!state || !self || self.certPem.trim() !== this.identity.certPem.trim() || !state.members.has(initiator))
      throw new TroupeError('pairing-failed', 'The team roster we were sent does not list both machines; nothing changed');
    if (this.roster.current && this.roster.teamId !== state.teamId && this.teammates().length > 0) {
      leaveOldTeam(this.roster.remove(this.identity.deviceId));
    }
    this.roster.replace(ops);
    this.addresses.clear();
    this.reportedHeads.clear();
    this.addresses.set(initiator, [initiatorAddress]);
    this.save();
    await this.flush(); // joined for good before the owner is told so
    this.emit('changed');
  }

  /**
   * Ops from a teammate's link (`from`): what is new is passed on and saved at once, and folded
   * soon after (settle): ops arriving in a burst cost one fold, not one each.
   */
  merge(ops: readonly RosterOp[], from: DeviceId): MergeResult {
    const result = this.roster.merge(ops, { deferFold: true });
    if (result.refused.length > 0)
      this.emit('log', `roster: refused ${result.refused.length} ops from ${formatDeviceId(from).slice(0, 7)} (${result.refused[0]})`);
    if (result.stored.length === 0) return result;
    this.save();
    this.emit('ops', result.stored, from);
    this.scheduleSettle();
    return result;
  }

  /** Folds what arrived since the last fold, and acts on what changed. */
  settleNow(): void {
    if (this.settleTimer) {
      clearTimeout(this.settleTimer);
      this.settleTimer = null;
    }
    const started = performance.now();
    const changed = this.roster.settle();
    this.lastFoldMs = performance.now() - started;
    this.lastFoldEndMs = Date.now();
    if (changed) this.afterChange();
    this.maybeSnapshot();
  }

  private settleTimer: NodeJS.Timeout | null = null;
  private lastFoldMs = 0;
  private lastFoldEndMs = 0;

  /** Folds SETTLE_MIN_MS after ops arrive, but never more than a fifth of the time while they keep coming. */
  private scheduleSettle(): void {
    if (this.settleTimer) return;
    const delay = Math.max(SETTLE_MIN_MS, this.lastFoldEndMs + 4 * this.lastFoldMs - Date.now());
    this.settleTimer = setTimeout(() => {
      this.settleTimer = null;
      this.settleNow();
    }, delay);
  }

  /** Removes a member (or, given this device, leaves the team). */
  async remove(member: string): Promise<RosterOp> {
    const id = this.resolveMember(member);
    const op = this.roster.remove(id);
    if (id === this.identity.deviceId) {
      // Leaving: our old teammates still need our signed goodbye, though we keep nothing of the team.
      this.emit('ops', [op], null);
      this.roster.replace([]);
      this.addresses.clear();
      this.reportedHeads.clear();
      this.save();
      this.emit('changed');
    } else {
      await this.changedByUs([op]);
    }
    return op;
  }

  async rename(teamName: string): Promise<void> {
    if (!this.roster.current) throw new TroupeError('not-found', 'This machine is on no team yet; pair a machine first');
    if (this.roster.current.teamName === teamName) return;
    await this.changedByUs([this.roster.renameTeam(teamName)]);
  }

  async renameSelf(name: string): Promise<void> {
    const state = this.roster.current;
    if (!state || state.members.get(this.identity.deviceId)?.name === name) return;
    await this.changedByUs([this.roster.renameSelf(name)]);
  }

  /** A member named by device id (hex or display form, or a unique prefix) or by its name. */
  resolveMember(text: string): DeviceId {
    const members = this.members();
    if (members.length === 0) throw new TroupeError('not-found', 'This machine is on no team');
    const t = text.trim().toUpperCase().replace(/-/g, '');
    // An id prefix must be long enough to be meant: removing a member is not undone by a typo.
    const byId = t.length >= 4;
    const hits = members.filter(
      (m) =>
        m.name.toUpperCase() === text.trim().toUpperCase() ||
        (byId && (m.deviceId.toUpperCase().startsWith(t) || formatDeviceId(m.deviceId).replace(/-/g, '').startsWith(t))),
    );
    if (hits.length === 1) return hits[0]!.deviceId;
    if (hits.length === 0) throw new TroupeError('unknown-device', `No team member is called or has the id "${text}"`);
    throw new TroupeError('bad-request', `"${text}" matches ${hits.length} members; use more of the device id`);
  }

  /** Writes what is pending now (on stop). */
  flush(): Promise<void> {
    if (this.saveTimer) {
      clearTimeout(this.saveTimer);
      this.saveTimer = null;
      return this.write();
    }
    return this.saving;
  }

  private async changedByUs(ops: RosterOp[]): Promise<void> {
    this.emit('ops', ops, null);
    this.afterChange();
    this.maybeSnapshot();
    await this.flush(); // a change the owner made is on disk before we answer them
  }

  private afterChange(): void {
    if (this.roster.current && !this.roster.isMember(this.identity.deviceId)) {
      // A teammate removed us: we are on no team now, and nothing of the old one is trusted. What
      // we hold goes first to whoever we are talking to: it may be the one op (say, the removal
      // of the member whose removal of us we just learned) that lets them see the same roster.
      this.emit('ops', this.roster.allOps(), null);
      this.roster.replace([]);
      this.addresses.clear();
      this.reportedHeads.clear();
      this.save();
      this.emit('changed');
      this.emit('removedSelf');
      return;
    }
    // Hints for devices that are no longer members are forgotten with them.
    for (const id of [...this.addresses.keys()]) if (!this.roster.isMember(id)) this.addresses.delete(id);
    for (const id of [...this.reportedHeads.keys()]) if (!this.roster.isMember(id)) this.reportedHeads.delete(id);
    this.save();
    this.emit('changed');
  }

  private maybeSnapshot(): void {
    let snapshot: RosterOp | null;
    try {
      snapshot = this.roster.proposeSnapshot();
    } catch (err) {
      // A snapshot is an optimisation: failing to make one must never take the agent down.
      this.emit('log', `roster: could not sign a snapshot (${(err as Error).message})`);
      return;
    }
    if (!snapshot) return;
    this.emit('log', `roster: ${this.roster.size} ops; signed a snapshot so teammates can forget the history before it`);
    this.save();
    this.emit('ops', [snapshot], null);
  }

  private maybeCompact(): void {
    if (this.roster.needsSettle) return; // the settle timer is due; compaction waits for its fold
    const covers = (snapshot: OpId, member: DeviceId): boolean => {
      const heads = this.reportedHeads.get(member);
      return heads !== undefined && this.roster.covers(heads, snapshot);
    };
    const before = this.roster.size;
    try {
      if (this.roster.compact(covers)) {
        this.emit('log', `roster: compacted ${before} ops to ${this.roster.size}`);
        this.save();
      }
    } catch (err) {
      // Compaction is an optimisation: failing at it must never take the agent down.
      this.emit('log', `roster: could not compact (${(err as Error).message})`);
    }
  }

  private saving: Promise<void> = Promise.resolve();
  private saveTimer: NodeJS.Timeout | null = null;

  /** Coalesces writes; each write takes the state as it is then, one after another, so the file never goes back in time. */
  private save(): void {
    if (this.saveTimer) return;
    this.saveTimer = setTimeout(() => {
      this.saveTimer = null;
      void this.write().catch((err: Error) => this.emit('log', `could not save team.json: ${err.message}`));
    }, SAVE_DEBOUNCE_MS);
  }

  private write(): Promise<void> {
    const write = (): Promise<void> => this.files.writeTeam({ ops: this.roster.allOps(), addresses: Object.fromEntries(this.addresses) });
    this.saving = this.saving.then(write, write);
    return this.saving;
  }

  private deferLog(line: string): void {
    setImmediate(() => this.emit('log', line));
  }
}
