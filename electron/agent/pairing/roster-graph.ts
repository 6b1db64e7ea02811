// Owns the causal graph of a team's roster ops: which op follows which. It stores an op only when
// every op it references is stored (so the graph is closed under "came before"), answers
// "did a come before b" in constant time, and says what another member lacks given its heads.
// Whether an op counts is roster-fold's business; this module never judges content.
//
// Ancestry is a bit set per op over the ops stored before it (insertion order is a topological
// order, since parents are stored first): 10,000 ops cost about 6 MB, and a snapshot compacts the
// graph long before that in a team that is online.

import type { RosterOp } from '../../../shared/protocol/index.js';
import { opId, type OpId } from './roster-op.js';

export interface OpNode {
  readonly id: OpId;
  readonly op: RosterOp;
  /** Position in insertion order (a topological order). */
  readonly index: number;
  /** Bit i set: the op stored at index i is in this op's causal past. */
  readonly ancestors: Uint32Array;
}

export class RosterGraph {
  private readonly byId = new Map<OpId, OpNode>();
  private readonly nodes: OpNode[] = [];
  private readonly headSet = new Set<OpId>();

  /** `root`: the team's create, or the snapshot that replaced the history before it. */
  constructor(root: RosterOp) {
    this.push(opId(root), root, []);
  }

  get root(): OpNode {
    return this.nodes[0]!;
  }

  get size(): number {
    return this.nodes.length;
  }

  get(id: OpId): OpNode | undefined {
    return this.byId.get(id);
  }

  has(id: OpId): boolean {
    return this.byId.has(id);
  }

  /** Every op, parents before children. */
  all(): readonly OpNode[] {
    return this.nodes;
  }

  /** Ops nothing stored follows, newest clock first. */
  heads(): OpId[] {
    return [...this.headSet].sort((a, b) => this.byId.get(b)!.op.clock - this.byId.get(a)!.op.clock || (a < b ? -1 : 1));
  }

  /** Deps of `op` that are not stored. */
  missingDeps(op: RosterOp): OpId[] {
    return op.deps.filter((d) => !this.byId.has(d));
  }

  /** Stores an op whose deps are all stored. The caller has checked everything else. */
  add(op: RosterOp): OpNode {
    const id = opId(op);
    const existing = this.byId.get(id);
    if (existing) return existing;
    const parents = op.deps.map((d) => {
      const p = this.byId.get(d);
      if (!p) throw new Error(`roster graph: dep ${d.slice(0, 12)} is not stored`);
      return p;
    });
    return this.push(id, op, parents);
  }

  /** Whether `a` is in the causal past of `b` (strictly). */
  before(a: OpNode, b: OpNode): boolean {
    if (a.index >= b.index) return false;
    return ((b.ancestors[a.index >>> 5] ?? 0) & (1 << (a.index & 31))) !== 0;
  }

  /** Neither came before the other. */
  concurrent(a: OpNode, b: OpNode): boolean {
    return a !== b && !this.before(a, b) && !this.before(b, a);
  }

  /** Whether `a` is `b` or in its past. */
  atOrBefore(a: OpNode, b: OpNode): boolean {
    return a === b || this.before(a, b);
  }

  /**
   * The ops a member with these heads lacks, parents first: everything not at or before one of
   * its heads that we know. Heads we do not know are ignored, so we may send a little more than
   * needed (never less): the receiver drops what it has.
   */
  missingFor(heads: readonly OpId[]): RosterOp[] {
    const known = heads.map((h) => this.byId.get(h)).filter((n): n is OpNode => n !== undefined);
    return this.nodes.filter((n) => !known.some((k) => this.atOrBefore(n, k))).map((n) => n.op);
  }

  private push(id: OpId, op: RosterOp, parents: OpNode[]): OpNode {
    const index = this.nodes.length;
    const ancestors = new Uint32Array((index >>> 5) + 1);
    for (const p of parents) {
      for (let w = 0; w < p.ancestors.length; w++) ancestors[w]! |= p.ancestors[w]!;
      ancestors[p.index >>> 5]! |= 1 << (p.index & 31);
      this.headSet.delete(p.id);
    }
    const node: OpNode = { id, op, index, ancestors };
    this.byId.set(id, node);
    this.nodes.push(node);
    this.headSet.add(id);
    return node;
  }
}
