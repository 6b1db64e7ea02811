import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOrCreateIdentity, type Identity } from '../../../../../electron/agent/identity/identity-store.js';
import { foldRoster, opDigest, signOp, TeamRoster, type RosterState } from '../../../../../electron/agent/pairing/team-roster.js';
import { rosterOpSchema, type RosterOp } from '../../../../../shared/protocol/index.js';

let root: string;
let A: Identity, B: Identity, C: Identity, D: Identity, E: Identity;
const TEAM = 'a'.repeat(32);

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
    members: [...state.members.values()].map((m) => `${m.deviceId}:${m.name}:${m.addedBy}`).sort(),
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

/** A team made by A with B in it, and B's roster synced from A. */
function teamAB() {
  const a = rosterOf(A);
  a.create(TEAM, 'Studio', 'alpha');
  a.add(B.deviceId, 'bravo', B.certPem);
  const b = rosterOf(B);
  b.replace(a.allOps());
  return { a, b };
}

describe('TeamRoster', () => {
  it('signs ops that pass the wire schema', () => {
    const { a } = teamAB();
    for (const op of a.allOps()) expect(rosterOpSchema.safeParse(op).success).toBe(true);
  });

  it('creates a team with its creator as the only member', () => {
    const a = rosterOf(A);
    expect(a.current).toBeNull();
    const op = a.create(TEAM, 'Studio', 'alpha');
    expect(op.kind).toBe('create');
    expect(op.clock).toBe(1);
    expect(a.isMember(A.deviceId)).toBe(true);
    expect(a.current?.members.size).toBe(1);
    expect(a.current?.teamName).toBe('Studio');
  });

  it("lets a member who merges the creator's ops see both members", () => {
    const { a, b } = teamAB();
    expect(b.isMember(A.deviceId)).toBe(true);
    expect(b.isMember(B.deviceId)).toBe(true);
    expect(view(b.current)).toEqual(view(a.current));
    expect(b.current?.members.get(B.deviceId)?.addedBy).toBe(A.deviceId);
  });

  it('trusts a device any member approved, without a second approval', () => {
    const { a, b } = teamAB();
    b.add(C.deviceId, 'charlie', C.certPem);
    expect(a.isMember(C.deviceId)).toBe(false);
    expect(a.merge(b.allOps())).toBe(true);
    expect(a.isMember(C.deviceId)).toBe(true);
    expect(a.current?.members.get(C.deviceId)?.addedBy).toBe(B.deviceId);
    expect(view(a.current)).toEqual(view(b.current));
  });

  it('merge reports whether anything changed', () => {
    const { a, b } = teamAB();
    expect(b.merge(a.allOps())).toBe(false); // all known already
    b.add(C.deviceId, 'charlie', C.certPem);
    expect(a.merge(b.allOps())).toBe(true);
    expect(a.merge(b.allOps())).toBe(false);
  });

  it('converges to the same roster whatever order ops arrive in', () => {
    const { a, b } = teamAB();
    // Concurrent edits from the same starting point: both at clock 2.
    b.add(C.deviceId, 'charlie', C.certPem);
    a.add(D.deviceId, 'delta', D.certPem);
    a.remove(B.deviceId); // may or may not void B's add of C, but identically everywhere
    a.rename('Render farm');
    b.add(E.deviceId, 'echo', E.certPem);
    const all = [...a.allOps(), ...b.allOps()];
    const expected = view(foldRoster(all));
    expect(expected).not.toBeNull();
    expect(expected!.removed).toEqual([B.deviceId]);
    for (let trial = 0; trial < 25; trial++) {
      // one op at a time, in a random order, to a fresh roster
      const r = rosterOf(C);
      for (const op of shuffle(all)) r.merge([op]);
      expect(view(r.current)).toEqual(expected);
      expect(view(foldRoster(shuffle(all)))).toEqual(expected);
    }
    a.merge(b.allOps());
    b.merge(a.allOps());
    expect(view(a.current)).toEqual(expected);
    expect(view(b.current)).toEqual(expected);
  });

  it('ignores an op signed by a device that is not a member', () => {
    const { a } = teamAB();
    const outsider = signOp(
      {
        kind: 'add',
        teamId: TEAM,
        teamName: 'Studio',
        subject: E.deviceId,
        subjectName: 'echo',
        subjectCert: E.certPem,
        by: D.deviceId,
        clock: 3,
        atMs: Date.now(),
      },
      D.privateKey,
    );
    expect(a.merge([outsider])).toBe(false);
    expect(a.isMember(E.deviceId)).toBe(false);
  });

  it("ignores an op claiming a member's name but signed with another key", () => {
    const { a } = teamAB();
    const forged = signOp(
      {
        kind: 'add',
        teamId: TEAM,
        teamName: 'Studio',
        subject: D.deviceId,
        subjectName: 'delta',
        subjectCert: D.certPem,
        by: A.deviceId,
        clock: 3,
        atMs: Date.now(),
      },
      D.privateKey,
    );
    a.merge([forged]);
    expect(a.isMember(D.deviceId)).toBe(false);
  });

  it('ignores a tampered op', () => {
    const a = rosterOf(A);
    a.create(TEAM, 'Studio', 'alpha');
    const addB = a.add(B.deviceId, 'bravo', B.certPem);
    const tampered = { ...addB, subjectName: 'mallory' };
    const fresh = rosterOf(
      C,
      a.allOps().filter((op) => opDigest(op) !== opDigest(addB)),
    );
    expect(fresh.isMember(A.deviceId)).toBe(true);
    fresh.merge([tampered]);
    expect(fresh.isMember(B.deviceId)).toBe(false);
    // and the tampered copy next to the real one does not rename the member
    fresh.merge([addB]);
    expect(fresh.current?.members.get(B.deviceId)?.name).toBe('bravo');
  });

  it('ignores an add whose certificate is not the subject', () => {
    const { a } = teamAB();
    const mismatched = signOp(
      {
        kind: 'add',
        teamId: TEAM,
        teamName: 'Studio',
        subject: D.deviceId,
        subjectName: 'delta',
        subjectCert: C.certPem,
        by: A.deviceId,
        clock: 3,
        atMs: Date.now(),
      },
      A.privateKey,
    );
    a.merge([mismatched]);
    expect(a.isMember(D.deviceId)).toBe(false);
    expect(a.isMember(C.deviceId)).toBe(false);
    expect(a.add(D.deviceId, 'delta', 'not a pem').kind).toBe('add');
    expect(a.isMember(D.deviceId)).toBe(false);
  });

  it("voids a removed member's later ops and reports it as removed", () => {
    const { a, b } = teamAB();
    a.remove(B.deviceId);
    expect(a.isMember(B.deviceId)).toBe(false);
    expect(a.isRemoved(B.deviceId)).toBe(true);
    b.merge(a.allOps());
    expect(b.isRemoved(B.deviceId)).toBe(true);
    const late = b.add(C.deviceId, 'charlie', C.certPem);
    expect(late.clock).toBeGreaterThan(a.current!.clock);
    a.merge(b.allOps());
    expect(a.isMember(C.deviceId)).toBe(false);
    expect(b.isMember(C.deviceId)).toBe(false);
    expect(a.isRemoved(C.deviceId)).toBe(false);
  });

  it('a member added back is no longer removed', () => {
    const { a } = teamAB();
    a.remove(B.deviceId);
    a.add(B.deviceId, 'bravo', B.certPem);
    expect(a.isMember(B.deviceId)).toBe(true);
    expect(a.isRemoved(B.deviceId)).toBe(false);
  });

  it("keeps out another team's ops once it has a team", () => {
    const { a } = teamAB();
    const other = rosterOf(C);
    other.create('b'.repeat(32), 'Elsewhere', 'charlie');
    other.add(D.deviceId, 'delta', D.certPem);
    expect(a.merge(other.allOps())).toBe(false);
    expect(a.allOps().every((op) => op.teamId === TEAM)).toBe(true);
    expect(a.isMember(C.deviceId)).toBe(false);
  });

  it('has no roster without a valid create', () => {
    const { a } = teamAB();
    const withoutCreate = a.allOps().filter((op) => op.kind !== 'create');
    expect(foldRoster(withoutCreate)).toBeNull();
    // a create someone signed for another device is not a create
    const fakeCreate = signOp(
      {
        kind: 'create',
        teamId: TEAM,
        teamName: 'Studio',
        subject: A.deviceId,
        subjectName: 'alpha',
        subjectCert: A.certPem,
        by: D.deviceId,
        clock: 1,
        atMs: 0,
      },
      D.privateKey,
    );
    expect(foldRoster([fakeCreate])).toBeNull();
  });

  it('rename changes the team name everywhere', () => {
    const { a, b } = teamAB();
    b.rename('Night shift');
    a.merge(b.allOps());
    expect(a.current?.teamName).toBe('Night shift');
    expect(a.current?.members.get(B.deviceId)?.name).toBe('bravo');
  });
});

describe('TeamRoster clock', () => {
  it('ignores an op that jumps the clock far ahead, so a member cannot make later ops unsendable', () => {
    const a = rosterOf(A);
    a.create(TEAM, 'team', 'a');
    a.add(B.deviceId, 'b', B.certPem);
    const state = a.current!;
    const jump = signOp(
      { kind: 'add', teamId: TEAM, teamName: 'team', subject: C.deviceId, subjectName: 'c', subjectCert: C.certPem, by: B.deviceId, clock: Number.MAX_SAFE_INTEGER, atMs: 1 },
      B.privateKey,
    );
    a.merge([jump]);
    expect(a.isMember(C.deviceId)).toBe(false);
    expect(a.current!.clock).toBe(state.clock);
    const next = a.remove(B.deviceId);
    expect(rosterOpSchema.safeParse(next).success).toBe(true);
  });
});
