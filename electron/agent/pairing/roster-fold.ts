// Owns what a team's roster *is*, given its graph of ops: which ops count, who is a member, and
// who was removed. Every member folds the same graph to the same roster, whatever order the ops
// arrived in. Storing, syncing and signing belong to TeamRoster and RosterGraph.
//
// An op counts when:
//   1. its author was a member in the op's own causal past (what the author had seen: the last
//      counting add/remove of the author before the op decides, else the root's member list), and
//   2. no counting removal of its author is concurrent with it. A removal voids every op of the
//      removed member that is not in its causal past: an op "signed before the removal" with a
//      backdated clock is concurrent with it, so it is void, whatever it does.
//      One exception: two members that remove each other concurrently are both removed. Their
//      two removals void each other's other ops but not each other. Concurrency cannot be told
//      from a backdated clock, so no rule can tell an honest simultaneous removal from a removed
//      member's forged answer to its removal. Both-out is the one rule under which a removed
//      member never stays or returns (a rule that lets one side win lets a removed machine win
//      whenever it happens to be that side: a review showed a stolen founder's laptop keeping
//      the team under "the senior wins"); the price is that it can take with it the members
//      that removed it, if it reaches a member that has heard of neither removal first.
// Rule 2 depends on which removals count, which depends on rule 2, so the fold iterates: count
// with the removals of the previous pass until the set of counting removals no longer changes.
// A ring of three or more members removing each other concurrently can make the set go round in
// a cycle; then every removal that counted in a pass of the cycle counts, none voiding another
// (rule 1 still holds). Such a ring can leave the team empty: its members pair again.
// Ops sort by (clock, id): the clock is 1 + the largest clock of an op's deps, so this order
// puts every op after its causal past; among concurrent ops it decides (a concurrent add and
// remove of one device: the later in this order wins).

import type { DeviceId } from '../../../shared/model/index.js';
import type { RosterGraph, OpNode } from './roster-graph.js';
import { bodyOf, MAX_MEMBERS, type OpId, type SnapshotState } from './roster-op.js';

export interface RosterMember {
  deviceId: DeviceId;
  name: string;
  certPem: string;
  addedBy: DeviceId;
  /** Order of admission (lower: earlier); it orders members in snapshots and views. */
  rank: number;
}

export interface RosterState {
  teamId: string;
  teamName: string;
  members: Map<DeviceId, RosterMember>;
  /** Devices removed and not added again: refused at the TLS handshake. */
  removed: Set<DeviceId>;
  /** Highest clock among counting ops (the next local op's clock is above every head's anyway). */
  clock: number;
  nextRank: number;
  /** Ids of the ops that count. */
  counted: Set<OpId>;
}

/** Folds every op of the graph, or only those `include` accepts (the root is always in). */
export function foldGraph(graph: RosterGraph, include: (n: OpNode) => boolean = () => true): RosterState {
  const nodes = graph
    .all()
    .slice(1)
    .filter(include)
    .sort((a, b) => a.op.clock - b.op.clock || (a.id < b.id ? -1 : 1));
  const seen: string[] = [];
  const history: OpNode[][] = [];
  let removals: OpNode[] = [];
  let roster = pass(graph, nodes, removals, false);
  // A chain of n concurrent removals settles in about n passes; past that the sequence has gone
  // round, or is an attack on the cap: either way it is settled like a cycle.
  const maxPasses = 2 * nodes.filter((n) => n.op.kind === 'remove').length + 2;
  for (let i = 1; i < maxPasses; i++) {
    const next = nodes.filter((n) => n.op.kind === 'remove' && roster.counted.has(n.id));
    if (sameNodes(next, removals)) return roster;
    const key = next.map((n) => n.id).join();
    const earlier = seen.indexOf(key);
    if (earlier >= 0) {
      // A cycle: every removal that counted in it counts, and none of them voids another.
      const ring = new Map(
        history
          .slice(earlier)
          .flat()
          .map((n) => [n.id, n]),
      );
      return pass(graph, nodes, [...ring.values()], true);
    }
    seen.push(key);
    history.push(next);
    removals = next;
    roster = pass(graph, nodes, removals, false);
  }
  return pass(graph, nodes, [...new Map(history.flat().map((n) => [n.id, n])).values()], true);
}

function sameNodes(a: OpNode[], b: OpNode[]): boolean {
  return a.length === b.length && a.every((n, i) => n === b[i]);
}

/** One fold in order, taking `removals` as the counting ones for rule 2 (`forced`: they are not voided themselves). */
function pass(graph: RosterGraph, nodes: OpNode[], removals: OpNode[], forced: boolean): RosterState {
  const roster: RosterState = { ...rootState(graph.root), counted: new Set([graph.root.id]) };
  // Counting add/remove ops about each device, in fold order: the author test of rule 1.
  const membershipOps = new Map<DeviceId, OpNode[]>();
  const rootMembers = new Set(roster.members.keys());
  const forcedIds = new Set(forced ? removals.map((r) => r.id) : []);

  const memberInPast = (author: DeviceId, node: OpNode): boolean => {
    const list = membershipOps.get(author);
    if (list) {
      for (let i = list.length - 1; i >= 0; i--) {
        const m = list[i]!;
        if (graph.before(m, node)) return m.op.kind !== 'remove';
      }
    }
    return rootMembers.has(author);
  };
  // Counting removals by the device they remove: an op looks only at removals of its author.
  const removalsOf = new Map<DeviceId, OpNode[]>();
  for (const r of removals) push(removalsOf, bodyOf(r.op, 'remove')!.subject, r);
  const voided = (node: OpNode): boolean => {
    if (forcedIds.has(node.id)) return false;
    // A removal of the very member that removed us, concurrently, is not voided by it (both count).
    const removes = node.op.kind === 'remove' ? bodyOf(node.op, 'remove')!.subject : null;
    return (removalsOf.get(node.op.by) ?? []).some((r) => r.op.by !== removes && graph.concurrent(r, node));
  };

  for (const node of nodes) {
    const { op } = node;
    if (op.teamId !== roster.teamId || op.kind === 'create') continue;
    if (!memberInPast(op.by, node) || voided(node)) continue;
    roster.counted.add(node.id);
    roster.clock = Math.max(roster.clock, op.clock);
    if (op.kind === 'add') {
      const body = bodyOf(op, 'add')!;
      // An add of a member changes nothing (only a member renames itself), and a team is capped
      // so that any roster fits one snapshot.
      if (!roster.members.has(body.subject) && roster.members.size < MAX_MEMBERS) {
        const rank = roster.nextRank++;
        roster.members.set(body.subject, {
          deviceId: body.subject,
          name: body.subjectName,
          certPem: body.subjectCert,
          addedBy: op.by,
          rank,
        });
        roster.removed.delete(body.subject);
        push(membershipOps, body.subject, node);
      }
    } else if (op.kind === 'remove') {
      const { subject } = bodyOf(op, 'remove')!;
      roster.members.delete(subject);
      roster.removed.add(subject);
      push(membershipOps, subject, node);
    } else if (op.kind === 'rename') {
      const member = roster.members.get(op.by);
      if (member) member.name = bodyOf(op, 'rename')!.name;
    } else if (op.kind === 'team-name') {
      roster.teamName = bodyOf(op, 'team-name')!.teamName;
    }
    // A snapshot that is not the root changes nothing (it is a checkpoint of its own past), and
    // kinds from newer versions are kept and passed on but change nothing here.
  }
  return roster;
}

function push(map: Map<DeviceId, OpNode[]>, key: DeviceId, node: OpNode): void {
  const list = map.get(key);
  if (list) list.push(node);
  else map.set(key, [node]);
}

/** The roster a root op starts: its founder alone, or the snapshot's members. */
function rootState(root: OpNode): Omit<RosterState, 'counted'> {
  const { op } = root;
  const create = bodyOf(op, 'create');
  if (create) {
    return {
      teamId: op.teamId,
      teamName: create.teamName,
      members: new Map([[op.by, { deviceId: op.by, name: create.subjectName, certPem: create.subjectCert, addedBy: op.by, rank: 0 }]]),
      removed: new Set(),
      clock: op.clock,
      nextRank: 1,
    };
  }
  const state = bodyOf(op, 'snapshot')!.state;
  return {
    teamId: op.teamId,
    teamName: state.teamName,
    members: new Map(state.members.map((m) => [m.id, { deviceId: m.id, name: m.name, certPem: m.cert, addedBy: m.addedBy, rank: m.rank }])),
    removed: new Set(state.removed),
    clock: op.clock,
    nextRank: state.nextRank,
  };
}

/** The snapshot form of a roster (members in seniority order, so equal rosters give equal snapshots). */
export function snapshotOf(roster: RosterState, maxRemoved: number): SnapshotState {
  return {
    teamName: roster.teamName,
    members: [...roster.members.values()]
      .sort((a, b) => a.rank - b.rank)
      .map((m) => ({ id: m.deviceId, name: m.name, cert: m.certPem, addedBy: m.addedBy, rank: m.rank })),
    removed: [...roster.removed].sort().slice(0, maxRemoved),
    nextRank: roster.nextRank,
  };
}
