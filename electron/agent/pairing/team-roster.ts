// Owns this device's copy of its team's roster: the verified op graph, its fold, the ops this
// device signs, and compaction into snapshots. Persistence and links belong to TeamService and
// RosterSync; what counts is roster-fold's, and what a single op must look like is roster-op's.
//
// Every op is checked before it is stored (and only stored ops are ever passed on): its shape,
// its team, its signature by a certificate the team knows, and that every op it references is
// stored. Ops whose references have not arrived wait (bounded) until they do.
//
// Compaction: once the graph holds COMPACT_AFTER_OPS ops past its root and has a single head,
// the most senior member signs a snapshot (the folded roster) after it. Every member checks a
// snapshot against its own fold of the snapshot's past. When every other member reports the
// snapshot among what it holds and nothing is concurrent with it, the history before it is
// dropped and the snapshot becomes the root: the roster stays small however old the team is.

import { randomBytes, type KeyObject } from 'node:crypto';
import type { DeviceId } from '../../../shared/model/index.js';
import { MAX_OP_DEPS, rosterOpSchema, type RosterOp } from '../../../shared/protocol/index.js';
import { foldGraph, snapshotOf, type RosterState } from './roster-fold.js';
import { RosterGraph, type OpNode } from './roster-graph.js';
import {
  bodyOf,
  canonicalBytes,
  certIsFor,
  MAX_REMEMBERED_REMOVALS,
  opId,
  opShapeProblem,
  signatureValid,
  signOp,
  teamIdOf,
  type OpId,
  type UnsignedOp,
} from './roster-op.js';

export type { RosterMember, RosterState } from './roster-fold.js';

/** Ops a roster holds at most (the ancestry sets grow with its square: 20,000 ops ≈ 25 MB). */
export const MAX_STORED_OPS = 20_000;
/** Canonical bytes of teammates' ops a roster holds at most (a snapshot is up to 512 KiB). */
export const MAX_STORED_BYTES = 48 * 2 ** 20;
/** Ops waiting for the ops they reference, by count and by bytes. */
const MAX_PENDING_OPS = 4_000;
const MAX_PENDING_BYTES = 8 * 2 ** 20;
export const COMPACT_AFTER_OPS = 256;

export interface MergeResult {
  /** Ops stored by this merge, parents first: what to pass on to other teammates. */
  stored: RosterOp[];
  /** Some ops wait for ops they reference: ask the sender for the difference. */
  waiting: boolean;
  /** Whether the roster (members, names, removals) changed; false when the fold was deferred (see settle). */
  changed: boolean;
  /** Ops refused, with the reason (for the log; the sender is not told). */
  refused: string[];
}

export class TeamRoster {
  /** Fields added to every op this device signs (mixed-version tests play a later build with it). */
  extraOpFields: Record<string, unknown> = {};
  private graph: RosterGraph | null = null;
  private state: RosterState | null = null;
  private readonly certs = new Map<DeviceId, string>();
  private readonly pending = new Map<OpId, RosterOp>();
  private pendingBytes = 0;
  /** Canonical bytes of the stored ops signed by others (budgeted: MAX_STORED_BYTES). */
  private storedBytes = 0;
  private readonly checkedSnapshots = new Map<OpId, boolean>();
  /** Ops were stored since the last fold. */
  private dirty = false;

  constructor(
    private readonly selfId: DeviceId,
    private readonly selfCertPem: string,
    private readonly key: KeyObject,
    ops: readonly RosterOp[] = [],
  ) {
    if (ops.length > 0) this.replace(ops);
  }

  get current(): RosterState | null {
    return this.state;
  }

  get teamId(): string | null {
    return this.graph?.root.op.teamId ?? null;
  }

  get size(): number {
    return this.graph?.size ?? 0;
  }

  /** Every stored op, parents first (the root first). */
  allOps(): RosterOp[] {
    return this.graph?.all().map((n) => n.op) ?? [];
  }

  heads(): OpId[] {
    return this.graph?.heads() ?? [];
  }

  has(id: OpId): boolean {
    return this.graph?.has(id) ?? false;
  }

  /** What a member reporting these heads lacks, parents first. */
  missingFor(heads: readonly OpId[]): RosterOp[] {
    return this.graph?.missingFor(heads) ?? [];
  }

  /**
   * Whether a teammate reporting these heads holds `id` and nothing we lack: every head is known
   * here and at or after it. (One head past it is not enough: the others may be ops we never saw.)
   */
  covers(heads: readonly OpId[], id: OpId): boolean {
    const target = this.graph?.get(id);
    if (!target || heads.length === 0) return false;
    return heads.every((h) => {
      const head = this.graph!.get(h);
      return head !== undefined && this.graph!.atOrBefore(target, head);
    });
  }

  /** Devices that signed a removal of `id` (counting or not). */
  removersOf(id: DeviceId): Set<DeviceId> {
    const out = new Set<DeviceId>();
    for (const n of this.graph?.all() ?? []) if (n.op.kind === 'remove' && n.op.subject === id) out.add(n.op.by);
    return out;
  }

  isMember(id: DeviceId): boolean {
    return this.state?.members.has(id) ?? false;
  }

  isRemoved(id: DeviceId): boolean {
    return this.state?.removed.has(id) ?? false;
  }

  /** Replaces the whole roster with a team's ops (joining a team, or loading team.json). The first op is the root and is trusted. */
  replace(ops: readonly RosterOp[]): MergeResult {
    this.graph = null;
    this.state = null;
    this.dirty = false;
    this.certs.clear();
    this.pending.clear();
    this.pendingBytes = 0;
    this.storedBytes = 0;
    this.checkedSnapshots.clear();
    const [root, ...rest] = ops;
    if (!root) return { stored: [], waiting: false, changed: true, refused: [] };
    const problem = rootProblem(root);
    if (problem) return { stored: [], waiting: false, changed: true, refused: [problem] };
    this.graph = new RosterGraph(root);
    this.learnCerts(root);
    const result = this.merge(rest);
    if (!result.changed) this.refold();
    return { ...result, stored: [root, ...result.stored], changed: true };
  }

  /**
   * Checks and stores ops from a teammate; stored ops are the ones to pass on. With `deferFold`
   * the roster is folded later, by settle(): a teammate streaming ops one frame at a time must
   * not cost a whole fold per frame (about 90 ms at 20,000 ops).
   */
  merge(incoming: readonly RosterOp[], { deferFold = false } = {}): MergeResult {
    const result: MergeResult = { stored: [], waiting: false, changed: false, refused: [] };
    if (!this.graph) return result;
    let progress = false;
    for (const raw of incoming) {
      const parsed = rosterOpSchema.safeParse(raw);
      if (!parsed.success) {
        result.refused.push('malformed op');
        continue;
      }
      const op = parsed.data;
      const outcome = this.tryStore(op);
      if (outcome === 'stored') {
        result.stored.push(op);
        progress = true;
      } else if (outcome === 'waiting') {
        this.hold(op);
      } else if (outcome !== 'known') result.refused.push(outcome);
    }
    // Ops that waited for what just arrived.
    while (progress && this.pending.size > 0) {
      progress = false;
      for (const [id, op] of this.pending) {
        // Waiting ops were checked on arrival: until their deps are here there is nothing to redo.
        if (this.graph.missingDeps(op).length > 0) continue;
        const outcome = this.tryStore(op);
        if (outcome === 'waiting') continue;
        this.release(id);
        if (outcome === 'stored') {
          result.stored.push(op);
          progress = true;
        } else if (outcome !== 'known') result.refused.push(outcome);
      }
    }
    result.waiting = this.pending.size > 0;
    if (result.stored.length > 0) {
      this.dirty = true;
      if (!deferFold) result.changed = this.settle();
    }
    return result;
  }

  /** Ops were stored since the last fold (the state may be behind until settle()). */
  get needsSettle(): boolean {
    return this.dirty;
  }

  /** Folds what was stored since the last fold; true if what people see of the roster changed. */
  settle(): boolean {
    if (!this.dirty) return false;
    this.dirty = false;
    return this.refold();
  }

  /** Forgets ops still waiting for their references (a sync round ended without them). */
  dropWaiting(): number {
    const n = this.pending.size;
    this.pending.clear();
    this.pendingBytes = 0;
    return n;
  }

  /** Keeps an op until its deps arrive: verified already, and within MAX_PENDING_OPS and MAX_PENDING_BYTES (oldest out). */
  private hold(op: RosterOp): void {
    const id = opId(op);
    if (this.pending.has(id)) return;
    const bytes = canonicalBytes(op).length;
    while (this.pending.size > 0 && (this.pending.size >= MAX_PENDING_OPS || this.pendingBytes + bytes > MAX_PENDING_BYTES)) {
      this.release(this.pending.keys().next().value!);
    }
    this.pending.set(id, op);
    this.pendingBytes += bytes;
  }

  private release(id: OpId): void {
    const op = this.pending.get(id);
    if (!op) return;
    this.pending.delete(id);
    this.pendingBytes -= canonicalBytes(op).length;
  }

  create(teamName: string, selfName: string): RosterOp {
    const base = {
      kind: 'create',
      by: this.selfId,
      clock: 1,
      deps: [] as string[],
      atMs: Date.now(),
      teamName,
      subjectName: selfName,
      subjectCert: this.selfCertPem,
      nonce: randomBytes(16).toString('hex'),
    };
    const op = signOp({ ...base, teamId: teamIdOf({ ...base, teamId: '' } as UnsignedOp) } as UnsignedOp, this.key);
    this.replace([op]);
    return op;
  }

  add(subject: DeviceId, subjectName: string, subjectCert: string): RosterOp {
    return this.append({ kind: 'add', subject, subjectName, subjectCert });
  }

  remove(subject: DeviceId): RosterOp {
    return this.append({ kind: 'remove', subject });
  }

  renameSelf(name: string): RosterOp {
    return this.append({ kind: 'rename', name });
  }

  renameTeam(teamName: string): RosterOp {
    return this.append({ kind: 'team-name', teamName });
  }

  /**
   * Signs a snapshot when the graph has grown and this device is the most senior member (one
   * member does it, so snapshots are rarely concurrent; concurrent ones only delay compaction
   * until the next). Null when it is not time.
   */
  proposeSnapshot(): RosterOp | null {
    if (this.dirty) return null; // judged on the fold of everything stored: settle() first
    if (!this.graph || !this.state || !this.state.members.has(this.selfId)) return null;
    // Ops since the newest snapshot (or the root): one snapshot per COMPACT_AFTER_OPS, even while
    // compaction waits for a member that is away.
    const nodes = this.graph.all();
    let since = 0;
    for (let i = nodes.length - 1; i > 0 && !(nodes[i]!.op.kind === 'snapshot' && this.state.counted.has(nodes[i]!.id)); i--) since++;
    if (since < COMPACT_AFTER_OPS) return null;
    const heads = this.graph.heads();
    if (heads.length !== 1 || this.graph.get(heads[0]!)!.op.kind === 'snapshot') return null;
    const senior = [...this.state.members.values()].sort((a, b) => a.rank - b.rank)[0]!;
    if (senior.deviceId !== this.selfId) return null;
    return this.append({ kind: 'snapshot', state: snapshotOf(this.state, MAX_REMEMBERED_REMOVALS) });
  }

  /**
   * Drops the history before the newest snapshot that counts, matches its own past, has nothing
   * concurrent with it, and that every other member holds (`heldBy`). True if it compacted.
   */
  compact(heldBy: (snapshot: OpId, member: DeviceId) => boolean): boolean {
    if (this.dirty) return false; // judged on the fold of everything stored: settle() first
    const graph = this.graph;
    const state = this.state;
    if (!graph || !state) return false;
    const nodes = graph.all();
    // Only the newest counting snapshot is a candidate, and the cheap test comes first: this
    // runs at every heartbeat.
    let s: OpNode | undefined;
    for (let i = nodes.length - 1; i > 0 && !s; i--) if (nodes[i]!.op.kind === 'snapshot' && state.counted.has(nodes[i]!.id)) s = nodes[i];
    if (!s) return false;
    const snapshot = s;
    const others = [...state.members.keys()].filter((id) => id !== this.selfId);
    if (!others.every((id) => heldBy(snapshot.id, id))) return false;
    if (!this.snapshotMatches(snapshot)) return false;
    if (!nodes.every((n) => graph.atOrBefore(n, snapshot) || graph.before(snapshot, n))) return false;
    // A snapshot that would not stand as a root (its author not among its members) is not used.
    if (rootProblem(snapshot.op)) return false;
    const kept = nodes.filter((n) => graph.before(snapshot, n)).map((n) => n.op);
    const before = graph.size;
    this.replace([snapshot.op, ...kept]);
    return (this.graph?.size ?? before) < before;
  }

  /** Whether a stored snapshot equals the fold of its own causal past. */
  private snapshotMatches(s: OpNode): boolean {
    let ok = this.checkedSnapshots.get(s.id);
    if (ok === undefined) {
      const graph = this.graph!;
      const past = foldGraph(graph, (n) => graph.before(n, s));
      ok = JSON.stringify(snapshotOf(past, MAX_REMEMBERED_REMOVALS)) === JSON.stringify(bodyOf(s.op, 'snapshot')!.state);
      this.checkedSnapshots.set(s.id, ok);
    }
    return ok;
  }

  private append(fields: Record<string, unknown>): RosterOp {
    const graph = this.requireGraph();
    const deps = graph.heads().slice(0, MAX_OP_DEPS);
    const clock = 1 + Math.max(...deps.map((d) => graph.get(d)!.op.clock));
    const op = signOp(
      { ...this.extraOpFields, ...fields, teamId: graph.root.op.teamId, by: this.selfId, clock, deps, atMs: Date.now() } as UnsignedOp,
      this.key,
    );
    const result = this.merge([op]);
    if (result.stored.length !== 1) throw new Error(`could not store our own op: ${result.refused.join('; ')}`);
    return op;
  }

  private tryStore(op: RosterOp): 'stored' | 'known' | 'waiting' | string {
    const graph = this.graph!;
    if (op.teamId !== graph.root.op.teamId) return 'op of another team';
    const id = opId(op);
    if (graph.has(id)) return 'known';
    const shape = opShapeProblem(op, id);
    if (shape) return shape;
    if (op.kind === 'create') return 'a second create for this team';
    // Checked before the op may wait: an unverified op must not take memory, and an author the
    // team never had cannot sign anything (its add would have to be in the op's past).
    const cert = this.certs.get(op.by);
    if (!cert) return 'signed by a device this team does not know';
    if (!signatureValid(op, cert, id)) return 'bad signature';
    if (graph.missingDeps(op).length > 0) return 'waiting';
    const maxDepClock = Math.max(...op.deps.map((d) => graph.get(d)!.op.clock));
    if (op.clock !== maxDepClock + 1) return 'clock is not one above its deps';
    // Budgets for what teammates make us hold; never for our own ops, so a flood of others' ops
    // cannot stop this device from removing the one who sent them.
    const bytes = canonicalBytes(op).length;
    if (op.by !== this.selfId) {
      if (graph.size >= MAX_STORED_OPS) return `the roster holds ${MAX_STORED_OPS} ops already`;
      if (this.storedBytes + bytes > MAX_STORED_BYTES) return `the roster holds ${MAX_STORED_BYTES} bytes of teammates' ops already`;
      this.storedBytes += bytes;
    }
    graph.add(op);
    this.learnCerts(op);
    return 'stored';
  }

  private learnCerts(op: RosterOp): void {
    const create = bodyOf(op, 'create');
    if (create) this.certs.set(op.by, create.subjectCert);
    const add = bodyOf(op, 'add');
    if (add) this.certs.set(add.subject, add.subjectCert);
    const snapshot = bodyOf(op, 'snapshot');
    if (snapshot && this.graph?.root.op === op) for (const m of snapshot.state.members) this.certs.set(m.id, m.cert);
  }

  /** Folds again; true if what people see of the roster changed. */
  private refold(): boolean {
    const before = this.fingerprint();
    this.state = this.graph ? foldGraph(this.graph) : null;
    return this.fingerprint() !== before;
  }

  private requireGraph(): RosterGraph {
    if (!this.graph) throw new Error('no team');
    return this.graph;
  }

  private fingerprint(): string {
    if (!this.state) return '';
    const members = [...this.state.members.values()].map((m) => `${m.deviceId}:${m.name}:${m.rank}`).sort();
    return JSON.stringify([this.state.teamId, this.state.teamName, members, [...this.state.removed].sort()]);
  }
}

/** A root is a create, or a snapshot whose author is one of its members (it is trusted as it is). */
function rootProblem(root: RosterOp): string | null {
  const parsed = rosterOpSchema.safeParse(root);
  if (!parsed.success) return 'malformed root op';
  if (root.kind === 'create') {
    const shape = opShapeProblem(root);
    if (shape) return shape;
    return signatureValid(root, bodyOf(root, 'create')!.subjectCert) ? null : 'bad signature on create';
  }
  const snapshot = bodyOf(root, 'snapshot');
  if (!snapshot) return 'the first op is neither a create nor a snapshot';
  const author = snapshot.state.members.find((m) => m.id === root.by);
  if (!author || !certIsFor(author.cert, author.id) || !snapshot.state.members.every((m) => certIsFor(m.cert, m.id)))
    return 'snapshot with a bad member list';
  return signatureValid(root, author.cert) ? null : 'bad signature on snapshot';
}
