import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOrCreateIdentity, type Identity } from '../../../../../electron/agent/identity/identity-store.js';
import { COMPACT_AFTER_OPS, TeamRoster, type RosterState } from '../../../../../electron/agent/pairing/team-roster.js';
import { opId, signOp, teamIdOf, type UnsignedOp } from '../../../../../electron/agent/pairing/roster-op.js';
import { rosterOpSchema, type RosterOp } from '../../../../../shared/protocol/index.js';

let root: string;
let A: Identity, B: Identity, C: Identity, D: Identity, E: Identity;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'troupe-roster-'));
  const make = (n: string) => loadOrCreateIdentity(join(root, n), { allowNew: false, hasTeam: false });
  [A, B, C, D, E] = await Promise.all([make('a'), make('b'), make('c'), make('d'), make('e')]);
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

function rosterOf(id: Identity, ops: readonly RosterOp[] = []): TeamRoster {
  return new TeamRoster(id.deviceId, id.certPem, id.privateKey, ops);
}

function view(state: RosterState | null) {
  if (!state) return null;
  return {
    teamId: state.teamId,
    teamName: state.teamName,
    members: [...state.members.values()].map((m) => `${m.deviceId.slice(0, 6)}:${m.name}:${m.addedBy.slice(0, 6)}:${m.rank}`).sort(),
    removed: [...state.removed].sort(),
  };
}

function shuffle<T>(items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = randomBytes(4).readUInt32BE(0) % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** An op signed by `who` with the deps it chooses: what a member with a stale or forged view would sign. */
function signed(who: Identity, teamId: string, deps: RosterOp[], fields: Record<string, unknown>): RosterOp {
  const clock = 1 + Math.max(...deps.map((d) => d.clock));
  return signOp({ ...fields, teamId, by: who.deviceId, clock, deps: deps.map(opId), atMs: Date.now() } as UnsignedOp, who.privateKey);
}

/** A team made by A with B and C in it; B and C synced from A. */
function teamABC() {
  const a = rosterOf(A);
  a.create('Studio', 'alpha');
  a.add(B.deviceId, 'bravo', B.certPem);
  a.add(C.deviceId, 'charlie', C.certPem);
  const b = rosterOf(B, a.allOps());
  const c = rosterOf(C, a.allOps());
  return { a, b, c, teamId: a.teamId! };
}

describe('TeamRoster', () => {
  it('signs ops that pass the wire schema, each with its causal past', () => {
    const { a } = teamABC();
    const ops = a.allOps();
    for (const op of ops) expect(rosterOpSchema.safeParse(op).success).toBe(true);
    expect(ops[0]!.deps).toEqual([]);
    expect(ops[1]!.deps).toEqual([opId(ops[0]!)]);
    expect(ops[2]!.clock).toBe(3);
  });

  it('creates a team whose id is the hash of its create, with the founder alone in it', () => {
    const a = rosterOf(A);
    const op = a.create('Studio', 'alpha');
    expect(op.teamId).toBe(teamIdOf(op));
    expect(a.current?.members.size).toBe(1);
    expect(a.current?.members.get(A.deviceId)?.rank).toBe(0);
  });

  it('trusts a device any member approved, and converges whatever order ops arrive in', () => {
    const { a, b, c } = teamABC();
    // concurrent edits on three machines
    b.add(D.deviceId, 'delta', D.certPem);
    a.renameTeam('Render farm');
    c.renameSelf('charlie-2');
    a.remove(B.deviceId); // concurrent with B's adds of D and E: they are void
    b.add(E.deviceId, 'echo', E.certPem);
    const all = new Map<string, RosterOp>();
    for (const op of [...a.allOps(), ...b.allOps(), ...c.allOps()]) all.set(opId(op), op);
    const reference = rosterOf(E, a.allOps());
    reference.merge([...all.values()]);
    const expected = view(reference.current);
    expect(expected!.removed).toEqual([B.deviceId]);
    expect(reference.isMember(D.deviceId)).toBe(false);
    expect(reference.current!.teamName).toBe('Render farm');
    expect(reference.current!.members.get(C.deviceId)!.name).toBe('charlie-2');
    const [createOp, ...rest] = [...all.values()];
    for (let trial = 0; trial < 20; trial++) {
      const r = rosterOf(E, [createOp!]);
      for (const op of shuffle(rest)) r.merge([op]); // one at a time: many wait for their parents
      // An op whose author's add has not arrived yet is refused, not held (nothing unverified is
      // kept); the heads in the next heartbeat bring it again, as this second pass does.
      r.merge(shuffle(rest));
      expect(view(r.current)).toEqual(expected);
    }
  });

  it('refuses ops it cannot verify, and never stores them', () => {
    const { a, teamId } = teamABC();
    const head = a.allOps().at(-1)!;
    const outsider = signed(D, teamId, [head], { kind: 'add', subject: E.deviceId, subjectName: 'echo', subjectCert: E.certPem });
    const forged = {
      ...signed(D, teamId, [head], { kind: 'add', subject: D.deviceId, subjectName: 'delta', subjectCert: D.certPem }),
      by: A.deviceId,
    };
    const tampered = {
      ...signed(A, teamId, [head], { kind: 'add', subject: D.deviceId, subjectName: 'delta', subjectCert: D.certPem }),
      subjectName: 'mallory',
    };
    const badCert = signed(A, teamId, [head], { kind: 'add', subject: D.deviceId, subjectName: 'delta', subjectCert: C.certPem });
    const badClock = signOp(
      { kind: 'rename', name: 'x', teamId, by: A.deviceId, clock: 999, deps: [opId(head)], atMs: 1 } as UnsignedOp,
      A.privateKey,
    );
    const size = a.size;
    const result = a.merge([outsider, forged, tampered, badCert, badClock]);
    expect(result.stored).toEqual([]);
    expect(result.refused).toHaveLength(5);
    expect(a.size).toBe(size);
    expect(a.isMember(D.deviceId) || a.isMember(E.deviceId)).toBe(false);
  });

  it('holds ops whose parents have not arrived, and stores them when they do', () => {
    const { a, b } = teamABC();
    const one = a.renameSelf('one');
    const two = a.renameSelf('two');
    expect(b.merge([two]).waiting).toBe(true);
    expect(b.has(opId(two))).toBe(false);
    const result = b.merge([one]);
    expect(result.stored.map(opId)).toEqual([opId(one), opId(two)]);
    expect(b.current!.members.get(A.deviceId)!.name).toBe('two');
  });

  it('keeps fields it does not know (a later version), signed and passed on intact', () => {
    const { a, b, teamId } = teamABC();
    const head = a.allOps().at(-1)!;
    const future = signed(A, teamId, [head], { kind: 'rename', name: 'alpha-9', colour: '#ff0', extra: { nested: [1, 2] } });
    const unknownKind = signed(A, teamId, [future], { kind: 'quorum-rule', threshold: 2 });
    const stored = b.merge([future, unknownKind]).stored;
    expect(stored).toHaveLength(2);
    expect(b.current!.members.get(A.deviceId)!.name).toBe('alpha-9');
    const passedOn = rosterOf(C, a.allOps());
    expect(passedOn.merge(JSON.parse(JSON.stringify(stored)) as RosterOp[]).stored).toHaveLength(2);
    expect(passedOn.allOps().at(-1)).toEqual(unknownKind);
  });
});

describe('TeamRoster attacks', () => {
  it('a removed member cannot backdate an op before its removal: "remove A" signed on an old view is void', () => {
    // With B offline, A removes C. C, keeping its key, signs "remove A" on the view it had before
    // (a backdated clock) and gets it to B before B hears of the removal.
    const { a, b, teamId } = teamABC();
    const staleView = a.allOps().at(-1)!;
    a.renameSelf('busy'); // A goes on working, so its removal of C has a higher clock
    a.renameSelf('busier');
    const removeC = a.remove(C.deviceId);
    const removeA = signed(C, teamId, [staleView], { kind: 'remove', subject: A.deviceId });
    const addAccomplice = signed(C, teamId, [staleView], {
      kind: 'add',
      subject: D.deviceId,
      subjectName: 'delta',
      subjectCert: D.certPem,
    });
    expect(removeA.clock).toBeLessThan(removeC.clock);

    // B hears C first (it still thinks C is a member), then A.
    b.merge([removeA, addAccomplice]);
    expect(b.isMember(A.deviceId)).toBe(false); // for now, B has only C's word
    b.merge(a.allOps());
    for (const r of [a, b]) {
      r.merge([removeA, addAccomplice]);
      // gamma stays out, and its accomplice never gets in. Its forged answer to its removal
      // cannot be told from a real simultaneous removal, so that one counts too: alpha is out
      // as well, and beta re-pairs it (protocol.md §6.3, "both out").
      expect(r.isMember(C.deviceId)).toBe(false);
      expect(r.isRemoved(C.deviceId)).toBe(true);
      expect(r.isMember(D.deviceId)).toBe(false);
      expect(r.isMember(A.deviceId)).toBe(false);
    }
    expect(b.isMember(B.deviceId)).toBe(true);
    expect(view(b.current)).toEqual(view(a.current));
  });

  it("a removed member's ops after it saw its removal are void", () => {
    const { a, b, teamId } = teamABC();
    const removeC = a.remove(C.deviceId);
    const late = signed(C, teamId, [removeC], { kind: 'add', subject: D.deviceId, subjectName: 'delta', subjectCert: D.certPem });
    b.merge([...a.allOps(), late]);
    expect(b.isMember(D.deviceId)).toBe(false);
    expect(b.isRemoved(C.deviceId)).toBe(true);
  });

  it('two members removing each other at once are both out, whoever was admitted first; their other concurrent ops are void', () => {
    const { a, b, c, teamId } = teamABC();
    const removeC = b.remove(C.deviceId); // B joined before C: B is senior
    const removeB = c.remove(B.deviceId);
    for (const order of [
      [removeC, removeB],
      [removeB, removeC],
    ]) {
      const r = rosterOf(D, a.allOps());
      // D is not a member: it only folds
      r.merge(order);
      expect(r.teamId).toBe(teamId);
      expect(r.isMember(B.deviceId)).toBe(false);
      expect(r.isMember(C.deviceId)).toBe(false);
      expect(r.isMember(A.deviceId)).toBe(true);
    }
  });

  it('a removed founder cannot keep the team: its backdated removals of others are void, but of its removers', () => {
    const { a, b, c, teamId } = teamABC();
    const stale = a.allOps().at(-1)!;
    const removeByB = b.remove(A.deviceId); // the founder's laptop is stolen; beta removes it
    const thief = [
      signed(A, teamId, [stale], { kind: 'remove', subject: B.deviceId }),
      signed(A, teamId, [stale], { kind: 'remove', subject: C.deviceId }),
      signed(A, teamId, [stale], { kind: 'add', subject: D.deviceId, subjectName: 'delta', subjectCert: D.certPem }),
    ];
    c.merge([...thief, removeByB]);
    expect(c.isMember(A.deviceId)).toBe(false); // the thief is out
    expect(c.isMember(D.deviceId)).toBe(false); // its accomplice never got in
    expect(c.isMember(C.deviceId)).toBe(true); // and gamma, who did not remove it, stays
    expect(c.isMember(B.deviceId)).toBe(false); // beta, its remover, pays: it is paired again
  });

  it('a ring of members removing each other concurrently settles the same everywhere', () => {
    const { a, b, c, teamId } = teamABC();
    const extra = rosterOf(A, a.allOps());
    extra.add(D.deviceId, 'delta', D.certPem);
    const base = extra.allOps();
    const head = base.at(-1)!;
    const ring = [
      signed(B, teamId, [head], { kind: 'remove', subject: C.deviceId }),
      signed(C, teamId, [head], { kind: 'remove', subject: D.deviceId }),
      signed(D, teamId, [head], { kind: 'remove', subject: B.deviceId }),
    ];
    const views = [ring, [...ring].reverse(), [ring[1]!, ring[0]!, ring[2]!]].map((order) => {
      const r = rosterOf(E, base);
      for (const op of order) r.merge([op]);
      return view(r.current);
    });
    expect(views[1]).toEqual(views[0]);
    expect(views[2]).toEqual(views[0]);
    expect(views[0]!.removed.length).toBeGreaterThan(0);
    void b;
    void c;
  });

  it('a long chain of concurrent removals settles: every other member is out, however long the chain', async () => {
    const ids = await Promise.all(
      Array.from({ length: 41 }, (_, i) => loadOrCreateIdentity(join(root, `chain-${i}`), { allowNew: false, hasTeam: false })),
    );
    const founder = rosterOf(A);
    founder.create('Chain', 'alpha');
    for (const [i, id] of ids.entries()) founder.add(id.deviceId, `x${i}`, id.certPem);
    const head = founder.allOps().at(-1)!;
    const teamId = founder.teamId!;
    // x0 removes x1, x1 removes x2, ... all on the same view: each is concurrent with the next.
    const chain = ids.slice(0, 40).map((id, i) => signed(id, teamId, [head], { kind: 'remove', subject: ids[i + 1]!.deviceId }));
    const r = rosterOf(B, founder.allOps());
    r.merge(chain);
    const removed = ids.filter((id) => r.isRemoved(id.deviceId)).map((id) => ids.indexOf(id));
    expect(removed).toEqual(Array.from({ length: 20 }, (_, k) => 2 * k + 1));
  });

  it('an op with a number JSON cannot keep (NaN), or nested past what msgpack encodes, is refused', () => {
    const { a, b, teamId } = teamABC();
    const head = a.allOps().at(-1)!;
    expect(b.merge([signed(A, teamId, [head], { kind: 'rename', name: 'n', extra: Number.NaN })]).refused).toEqual([
      'op with a malformed string or number',
    ]);
    let deep: unknown = 1;
    for (let i = 0; i < 120; i++) deep = [deep];
    expect(b.merge([{ ...signed(A, teamId, [head], { kind: 'rename', name: 'n' }), extra: deep } as RosterOp]).refused).toHaveLength(1);
  });

  it('an op with a lone surrogate is refused: it would not survive being passed on', () => {
    const { a, b, teamId } = teamABC();
    const bad = signed(A, teamId, [a.allOps().at(-1)!], { kind: 'rename', name: 'ok', note: 'x'.repeat(60) + '\ud800' });
    expect(b.merge([bad]).refused).toEqual(['op with a malformed string or number']);
  });

  it('an add of a member does not rename it: only a member renames itself', () => {
    const { a, b, c } = teamABC();
    b.merge(a.allOps());
    const mallory = rosterOf(B, b.allOps());
    const op = mallory.add(A.deviceId, 'mallory', A.certPem);
    c.merge([op]);
    expect(c.current!.members.get(A.deviceId)!.name).toBe('alpha');
  });

  it('a second create for the same team is refused: the team id is the hash of the one create', () => {
    const { a, b, teamId } = teamABC();
    const root = a.allOps()[0]!;
    // C signs a create with the same team id: it does not hash to that id.
    const second = signOp(
      { ...root, by: C.deviceId, subjectCert: C.certPem, subjectName: 'charlie', nonce: '0'.repeat(32), teamId } as UnsignedOp,
      C.privateKey,
    );
    const result = b.merge([second]);
    expect(result.stored).toEqual([]);
    expect(b.isMember(A.deviceId)).toBe(true);
    expect(b.current!.members.size).toBe(3);
    // and a create that is valid for its own team id is another team's, not ours
    const other = rosterOf(C);
    const otherCreate = other.create('Elsewhere', 'charlie');
    expect(b.merge([otherCreate]).stored).toEqual([]);
  });

  it('re-encoding a signature does not make a new op: strict base64, low-S only, id without the signature', () => {
    const { a, b } = teamABC();
    const op = a.renameSelf('x');
    expect(rosterOpSchema.safeParse({ ...op, sig: op.sig + '=' }).success).toBe(false);
    const raw = Buffer.from(op.sig, 'base64');
    // the other valid ECDSA signature of the same message: (r, n - s)
    const n = BigInt('0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551');
    const s = BigInt('0x' + raw.subarray(32).toString('hex'));
    const high = Buffer.concat([raw.subarray(0, 32), Buffer.from((n - s).toString(16).padStart(64, '0'), 'hex')]);
    const twin = { ...op, sig: high.toString('base64') };
    expect(opId(twin)).toBe(opId(op)); // the same op: its id does not cover the signature
    // a base64 text whose unused bits are set decodes to the same bytes: refused as not canonical
    const last = op.sig[85]!;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
    const sloppy = { ...op, sig: op.sig.slice(0, 85) + alphabet[alphabet.indexOf(last) ^ 1] + '==' };
    const fresh = rosterOf(B, a.allOps().slice(0, -1));
    expect(fresh.merge([twin]).refused).toEqual(['bad signature']);
    expect(fresh.merge([sloppy]).refused).toEqual(['bad signature']);
    expect(fresh.merge([op]).stored).toHaveLength(1);
    expect(b.merge([op, twin]).stored).toHaveLength(1);
  });
});

describe('TeamRoster compaction', () => {
  it('the most senior member snapshots a long history; members check it and forget what came before', () => {
    const { a, b, c } = teamABC();
    for (let i = 0; i < COMPACT_AFTER_OPS; i++) {
      const [me, other] = i % 2 ? [b, a] : [a, b];
      me.merge(other.missingFor(me.heads()));
      me.renameSelf(`name-${i}`);
    }
    b.merge(a.allOps());
    a.merge(b.allOps());
    c.merge(a.allOps());
    const snapshot = a.proposeSnapshot();
    expect(snapshot?.kind).toBe('snapshot');
    expect(b.proposeSnapshot()).toBeNull(); // B is not the most senior
    b.merge([snapshot!]);
    c.merge([snapshot!]);
    const before = view(a.current);
    const sizeBefore = a.size;
    // Not until every other member holds the snapshot.
    expect(a.compact((_s, member) => member === B.deviceId)).toBe(false);
    const heldByAll = () => true;
    expect(a.compact(heldByAll)).toBe(true);
    expect(b.compact(heldByAll)).toBe(true);
    expect(a.size).toBe(1);
    expect(sizeBefore).toBeGreaterThan(COMPACT_AFTER_OPS);
    expect(view(a.current)).toEqual(before);
    expect(view(b.current)).toEqual(before);
    // Life goes on after the snapshot, and a newcomer gets only the snapshot and what follows.
    a.add(D.deviceId, 'delta', D.certPem);
    b.merge(a.allOps());
    const d = rosterOf(D, a.allOps());
    expect(d.size).toBe(2);
    expect(view(d.current)).toEqual(view(b.current));
  });

  it('a snapshot that does not match its past is never compacted to', () => {
    const { a, b, teamId } = teamABC();
    for (let i = 0; i < COMPACT_AFTER_OPS; i++) a.renameSelf(`n${i}`);
    b.merge(a.allOps());
    const head = b.allOps().at(-1)!;
    const state = {
      teamName: 'Studio',
      nextRank: 3,
      removed: [],
      members: [
        { id: B.deviceId, name: 'bravo', cert: B.certPem, addedBy: A.deviceId, rank: 0 },
        { id: C.deviceId, name: 'charlie', cert: C.certPem, addedBy: A.deviceId, rank: 2 },
      ],
    };
    const lie = signed(B, teamId, [head], { kind: 'snapshot', state }); // "A was never here"
    a.merge([lie]);
    expect(a.compact(() => true)).toBe(false);
    expect(a.isMember(A.deviceId)).toBe(true);
  });
});

describe('TeamRoster at scale', () => {
  it('10,000 ops of history sync by difference in bounded batches', () => {
    const { a, b, teamId } = teamABC();
    const history: RosterOp[] = [];
    let head = a.allOps().at(-1)!;
    for (let i = 0; i < 10_000; i++) history.push((head = signed(A, teamId, [head], { kind: 'rename', name: `a-${i}` })));
    expect(a.merge(history).stored).toHaveLength(10_000);
    const missing = a.missingFor(b.heads());
    expect(missing).toHaveLength(10_000);
    for (let i = 0; i < missing.length; i += 512)
      expect(b.merge(missing.slice(i, i + 512)).stored.length).toBe(Math.min(512, missing.length - i));
    expect(b.heads()).toEqual(a.heads());
    expect(b.current!.members.get(A.deviceId)!.name).toBe('a-9999');
    expect(a.missingFor(b.heads())).toEqual([]);
  });
});
