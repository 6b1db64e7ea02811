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
const MAX_RETRY_MS = 10 * 60_000;
const MIN_ANSWER_INTERVAL_MS = 1000;
const HIDDEN_HEADS_RETRY_MS = 10_000;

export interface RosterLinks {
  send(id: DeviceId, message: LinkMessage): void;
  /** Whether the peer reads what we send; a whole answer waits until it does. */
  draining(id: DeviceId): boolean;
  /** Teammates with a link up now. */
  linked(): DeviceId[];
}

export class RosterSync {
  /** When we last asked each teammate, and how many whole answers in a row left its heads unknown. */
  private readonly asked = new Map<DeviceId, { atMs: number; fruitless: number }>();
  /** When we last answered each teammate: one whole answer a second at most, however often it asks. */
  private readonly answeredAtMs = new Map<DeviceId, number>();

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
    const asked = this.asked.get(id);
    if (heads.heads.every((h) => roster.has(h))) {
      if (asked && asked.fruitless > 0 && heads.count <= heads.heads.length) this.asked.delete(id);
      // Heads it does not show (more than fit a heartbeat) may hide an op we lack: ask now and
      // then, with the same backoff, since an answer with nothing new costs one empty frame.
      if (heads.count <= heads.heads.length || (asked && Date.now() - asked.atMs < HIDDEN_HEADS_RETRY_MS)) return;
    }
    // Heads a whole answer did not bring (history compacted away, or a teammate restored from an
    // old backup) are asked for again ever more rarely, not every 2 s for ever.
    if (asked && Date.now() - asked.atMs < Math.min(MAX_RETRY_MS, WANT_RETRY_MS * 2 ** asked.fruitless)) return;
    this.ask(id, asked?.fruitless ?? 0);
  }

  message(id: DeviceId, message: LinkMessage): void {
    const roster = this.team.roster;
    if (message.type === 'roster.want') {
      if (Date.now() - (this.answeredAtMs.get(id) ?? 0) < MIN_ANSWER_INTERVAL_MS || !this.links.draining(id)) return; // it asks again
      this.answeredAtMs.set(id, Date.now());
      this.sendOps(id, message.teamId === roster.teamId ? roster.missingFor(message.heads) : [], true);
    } else if (message.type === 'roster.ops') {
      const result = this.team.merge(message.ops, id);
      if (message.answer && !message.more && this.asked.has(id)) {
        // Only the end of an answer we asked for ends a round (anyone could send answer: true).
        const asked = this.asked.get(id);
        if (asked) this.asked.set(id, { atMs: asked.atMs, fruitless: asked.fruitless + 1 }); // reset once its heads are known
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
    this.answeredAtMs.delete(id);
  }

  private ask(id: DeviceId, fruitless = 0): void {
    const roster = this.team.roster;
    if (!roster.teamId) return;
    this.asked.set(id, { atMs: Date.now(), fruitless });
    this.links.send(id, { type: 'roster.want', teamId: roster.teamId, heads: roster.heads().slice(0, 64) });
  }

  /** Sends ops in frames of bounded size (rosterBatches); the last has more: false. */
  private sendOps(id: DeviceId, ops: readonly RosterOp[], answer = false): void {
    const batches = rosterBatches(ops);
    batches.forEach((batch, i) => this.links.send(id, { type: 'roster.ops', ops: batch, answer, more: i < batches.length - 1 }));
  }
}
