// Owns this device's team: the roster and where teammates were last reached, kept on disk and in
// step with every linked teammate. Pairing asks it to admit or join; links carry what it says.

import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { TroupeError } from '../../../shared/errors.js';
import type { DeviceId } from '../../../shared/model/index.js';
import type { RosterOp } from '../../../shared/protocol/index.js';
import type { Identity } from '../identity/identity-store.js';
import { formatDeviceId } from '../identity/device-id.js';
import type { AgentStateFiles } from '../storage/agent-state-files.js';
import type { PeerCertificate } from '../transport/peer-certificate.js';
import { foldRoster, TeamRoster, type RosterMember } from './team-roster.js';

const MAX_ADDRESSES_PER_MEMBER = 4;

/** `changed` carries the ops teammates should hear about (usually all of them). */
export class TeamService extends EventEmitter<{ changed: [RosterOp[]]; removedSelf: [] }> {
  readonly roster: TeamRoster;
  private readonly addresses = new Map<DeviceId, string[]>();

  constructor(
    private readonly identity: Identity,
    private readonly files: AgentStateFiles,
    ops: RosterOp[],
    addresses: Record<string, string[]>,
  ) {
    super();
    this.roster = new TeamRoster(identity.deviceId, identity.certPem, identity.privateKey, ops);
    for (const [id, list] of Object.entries(addresses)) this.addresses.set(id, list);
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
  async noteAddress(id: DeviceId, address: string): Promise<void> {
    const list = this.addresses.get(id) ?? [];
    if (list[0] === address) return;
    this.addresses.set(id, [address, ...list.filter((a) => a !== address)].slice(0, MAX_ADDRESSES_PER_MEMBER));
    await this.save();
  }

  /** Initiator side: sign the newcomer in, making a team first if this machine has none. */
  async admit(peer: PeerCertificate, name: string, address: string, selfName: string): Promise<RosterOp[]> {
    if (!this.roster.current) this.roster.create(randomBytes(16).toString('hex'), `${selfName}'s team`.slice(0, 64), selfName);
    this.roster.add(peer.deviceId, name, peer.certPem);
    this.addresses.set(peer.deviceId, [address]);
    await this.changed();
    return this.roster.allOps();
  }

  /** Responder side: adopt the team we were welcomed into; a machine is on one team at a time. */
  async join(ops: RosterOp[], initiator: DeviceId, initiatorAddress: string, leaveOldTeam: (op: RosterOp) => void): Promise<void> {
    const state = foldRoster(ops);
    const self = state?.members.get(this.identity.deviceId);
    if (!state || !self || self.certPem.trim() !== this.identity.certPem.trim() || !state.members.has(initiator))
      throw new TroupeError('pairing-failed', 'The team roster we were sent does not list both machines; nothing changed');
    if (this.roster.current && this.roster.current.teamId !== state.teamId && this.teammates().length > 0) {
      leaveOldTeam(this.roster.remove(this.identity.deviceId));
    }
    this.roster.replace(ops);
    this.addresses.clear();
    this.addresses.set(initiator, [initiatorAddress]);
    await this.changed();
  }

  /** Ops (and address hints) from a teammate's link. */
  async merge(ops: RosterOp[], hints: Record<string, string[]>): Promise<boolean> {
    for (const [id, list] of Object.entries(hints)) {
      if (id !== this.identity.deviceId && !this.addresses.has(id)) this.addresses.set(id, list.slice(0, MAX_ADDRESSES_PER_MEMBER));
    }
    if (!this.roster.merge(ops)) return false;
    if (!this.roster.isMember(this.identity.deviceId)) {
      // A teammate removed us: we are on no team now, and nothing of the old one is trusted.
      this.roster.replace([]);
      this.addresses.clear();
      await this.changed();
      this.emit('removedSelf');
      return true;
    }
    await this.changed();
    return true;
  }

  /** Removes a member (or, given this device, leaves the team). Returns the op to send to teammates. */
  async remove(member: string): Promise<RosterOp> {
    const id = this.resolveMember(member);
    const op = this.roster.remove(id);
    if (id === this.identity.deviceId) {
      // Leaving: our old teammates still need our signed goodbye, though we keep nothing of the team.
      this.roster.replace([]);
      this.addresses.clear();
      await this.changed([op]);
    } else {
      this.addresses.delete(id);
      await this.changed();
    }
    return op;
  }

  async rename(teamName: string): Promise<void> {
    if (!this.roster.current) throw new TroupeError('not-found', 'This machine is on no team yet; pair a machine first');
    this.roster.rename(teamName);
    await this.changed();
  }

  async renameSelf(name: string): Promise<void> {
    const state = this.roster.current;
    if (!state || state.members.get(this.identity.deviceId)?.name === name) return;
    this.roster.add(this.identity.deviceId, name, this.identity.certPem);
    await this.changed();
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

  private async changed(announce: RosterOp[] = this.roster.allOps()): Promise<void> {
    await this.save();
    this.emit('changed', announce);
  }

  private saving: Promise<void> = Promise.resolve();

  /** Writes run one after another, each taking the state as it is then, so the file never goes back in time. */
  private save(): Promise<void> {
    const write = (): Promise<void> =>
      this.files.writeTeam({ ops: this.roster.allOps(), addresses: Object.fromEntries(this.addresses) });
    this.saving = this.saving.then(write, write);
    return this.saving;
  }
}
