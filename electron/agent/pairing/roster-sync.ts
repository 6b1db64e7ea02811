// Owns keeping the roster in step over links: by difference, in bounded frames. Each member
// reports its heads in every hello and heartbeat; a member that sees a head it lacks asks that
// teammate for what it lacks (`roster.want` with its own heads) and gets exactly the ops outside
// their causal past, parents first, in frames under MAX_ROSTER_BATCH_BYTES (`roster.ops`). Ops
// stored from anyone, or signed here, are passed on to every other linked teammate at once, so a
// removal reaches the whole team within a round trip per hop; the heads in heartbeats repair
// whatever a lost frame or a late link missed.
//
//   per teammate:  in step --head we lack--> asked --answer ends (more: false)--> in step
//                     ^                        |  (ops still waiting for parents: dropped, logged)
//                     +------- 2 s without an answer: ask again on the next heartbeat -----+

import type { DeviceId } from '../../../shared/model/index.js';
import type { LinkMessage, RosterHeads, RosterOp } from '../../../shared/protocol/index.js';
import { rosterBatches } from './roster-batches.js';
import type { TeamService } from './team-service.js';

const WANT_RETRY_MS = 2000;

export interface RosterLinks {
  send(id: DeviceId, message: LinkMessage): void;
  /** Teammates with a link up now. */
  linked(): DeviceId[];
}

export class RosterSync {
  /** When we last asked each teammate for the difference, and whether its answer is still coming. */
  private readonly asked = new Map<DeviceId, number>();

  constructor(
    private readonly team: TeamService,
    private readonly links: RosterLinks,
  ) {
    team.on('ops', (ops, from) => {
      for (const id of this.links.linked()) if (id !== from && ops.length > 0) this.sendOps(id, ops);
    });
  }

  linkOnline(id: DeviceId): void {
    this.asked.delete(id);
    this.links.send(id, { type: 'team.addresses', addresses: this.team.addressBook() });
  }

  /** Heads from a teammate's hello or heartbeat. */
  heads(id: DeviceId, heads: RosterHeads | null): void {
    this.team.noteHeads(id, heads);
    const roster = this.team.roster;
    if (!heads || heads.teamId !== roster.teamId) return;
    if (heads.heads.every((h) => roster.has(h))) return;
    const askedAt = this.asked.get(id);
    if (askedAt !== undefined && Date.now() - askedAt < WANT_RETRY_MS) return;
    this.ask(id);
  }

  message(id: DeviceId, message: LinkMessage): void {
    const roster = this.team.roster;
    if (message.type === 'roster.want') {
      this.sendOps(id, message.teamId === roster.teamId ? roster.missingFor(message.heads) : [], true);
    } else if (message.type === 'roster.ops') {
      const result = this.team.merge(message.ops, id);
      if (message.answer && !message.more) {
        this.asked.delete(id);
        // The whole difference arrived and some ops still lack their parents: they reference
        // history nobody will send (forged, or compacted away). Keeping them would only grow.
        const dropped = roster.dropWaiting();
        if (dropped > 0) this.team.emit('log', `roster: dropped ${dropped} ops that reference ops no teammate has`);
      } else if (result.waiting && !this.asked.has(id)) {
        this.ask(id);
      }
    } else if (message.type === 'team.addresses') {
      this.team.noteHints(message.addresses);
    }
  }

  linkOffline(id: DeviceId): void {
    this.asked.delete(id);
  }

  private ask(id: DeviceId): void {
    const roster = this.team.roster;
    if (!roster.teamId) return;
    this.asked.set(id, Date.now());
    this.links.send(id, { type: 'roster.want', teamId: roster.teamId, heads: roster.heads().slice(0, 64) });
  }

  /** Sends ops in frames of bounded size (rosterBatches); the last has more: false. */
  private sendOps(id: DeviceId, ops: readonly RosterOp[], answer = false): void {
    const batches = rosterBatches(ops);
    batches.forEach((batch, i) => this.links.send(id, { type: 'roster.ops', ops: batch, answer, more: i < batches.length - 1 }));
  }
}
