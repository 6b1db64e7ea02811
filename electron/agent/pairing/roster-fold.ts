// Owns what a team's roster *is*, given its graph of ops: which ops count, who is a member, and
// who was removed. Every member folds the same graph to the same roster, whatever order the ops
// arrived in. Storing, syncing and signing belong to TeamRoster and RosterGraph.
//
// An op counts when:
//   1. its author was a member in the op's own causal past (what the author had seen: the last
//      counting add/remove of the author before the op decides, else the root's member list), and
//   2. no counting removal of its author is concurrent with it. A removal voids every op of the
//      removed member that is not in its causal past: an op "signed before the removal" with a
//      backdated clock is concurrent with it, so it is void. For one removal against another
//      (two members removing each other without having seen each other's op) only the senior
//      member's removal voids the other: otherwise a removed member could answer its removal with
//      a backdated removal of its remover and both would cancel. Seniority is the order in which
//      members were admitted (the founder first); a member re-added after a removal is junior.
// Rule 2 depends on which removals count, which depends on rule 2, so the fold iterates: count
// with the removals of the previous pass until the set of counting removals no longer changes.
// Ops sort by (clock, id): the clock is 1 + the largest clock of an op's deps, so this order
// puts every op after its causal past; among concurrent ops it decides (a concurrent add and
// remove of one device: the later in this order wins).

import type { DeviceId } from '../../../shared/model/index.js';
import type { RosterGraph, OpNode } from './roster-graph.js';
import { bodyOf, type OpId, type SnapshotState } from './roster-op.js';

export interface RosterMember {
  deviceId: DeviceId;
  name: string;
  certPem: string;
  addedBy: DeviceId;
  /** Seniority: lower is admitted earlier. */
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

const MAX_PASSES = 8;

/** Folds every op of the graph, or only those `include` accepts (the root is always in). */
export function foldGraph(graph: RosterGraph, include: (n: OpNode) => boolean = () => true): RosterState {
  const nodes = graph
    .all()
    .slice(1)
    .filter(include)
    .sort((a, b) => a.op.clock - b.op.clock || (a.id < b.id ? -1 : 1));
  let removals: OpNode[] = [];
  let ranks = new Map<DeviceId, number>();
  let state = pass(graph, nodes, removals, ranks);
  for (let i = 1; i < MAX_PASSES; i++) {
    const next = nodes.filter((n) => n.op.kind === 'remove' && state.counted.has(n.id));
    if (sameNodes(next, removals)) break;
    removals = next;
    ranks = state.ranks;
    state = pass(graph, nodes, removals, ranks);
  }
  return state.roster;
}

function sameNodes(a: OpNode[], b: OpNode[]): boolean {
  return a.length === b.length && a.every((n, i) => n === b[i]);
}

interface Pass {
  roster: RosterState;
  counted: Set<OpId>;
  ranks: Map<DeviceId, number>;
}

function pass(graph: RosterGraph, nodes: OpNode[], removals: OpNode[], priorRanks: Map<DeviceId, number>): Pass {
  const root = rootState(graph.root);
  const roster: RosterState = { ...root, counted: new Set([graph.root.id]) };
  const ranks = new Map<DeviceId, number>([...roster.members.values()].map((m) => [m.deviceId, m.rank]));
  // Counting add/remove ops about each device, in fold order: the author test of rule 1.
  const membershipOps = new Map<DeviceId, OpNode[]>();
  const rootMembers = new Set(roster.members.keys());
  const rankOf = (id: DeviceId): number => priorRanks.get(id) ?? ranks.get(id) ?? Number.MAX_SAFE_INTEGER;

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
  const voided = (node: OpNode): boolean =>
    (removalsOf.get(node.op.by) ?? []).some(
      (r) => graph.concurrent(r, node) && (node.op.kind !== 'remove' || rankOf(r.op.by) < rankOf(node.op.by)),
    );

  for (const node of nodes) {
    const { op } = node;
    if (op.teamId !== roster.teamId || op.kind === 'create') continue;
    if (!memberInPast(op.by, node) || voided(node)) continue;
    roster.counted.add(node.id);
    roster.clock = Math.max(roster.clock, op.clock);
    if (op.kind === 'add') {
      const body = bodyOf(op, 'add')!;
      const existing = roster.members.get(body.subject);
      if (existing) {
        existing.name = body.subjectName;
      } else {
        const rank = roster.nextRank++;
        roster.members.set(body.subject, {
          deviceId: body.subject,
          name: body.subjectName,
          certPem: body.subjectCert,
          addedBy: op.by,
          rank,
        });
        ranks.set(body.subject, rank);
      }
      roster.removed.delete(body.subject);
      push(membershipOps, body.subject, node);
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
  return { roster, counted: roster.counted, ranks };
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
