// Owns the team's membership as a set of signed ops that every member folds the same way, so
// rosters converge however ops travel. It leaves persistence to TeamStore and sending to links.
//
// Fold: sort ops by (clock, digest); a `create` starts the team; every later op counts only if its
// signer is a member at that point and the signature verifies with the signer's roster certificate.
// So a machine approved by one member is trusted by all, and a removed member's later ops are void.

import { createHash, sign, verify, X509Certificate, type KeyObject } from 'node:crypto';
import type { DeviceId } from '../../../shared/model/index.js';
import type { RosterOp } from '../../../shared/protocol/index.js';
import { deviceIdFromCertDer } from '../identity/device-id.js';

export interface RosterMember {
  deviceId: DeviceId;
  name: string;
  certPem: string;
  addedBy: DeviceId;
}

export interface RosterState {
  teamId: string;
  teamName: string;
  members: Map<DeviceId, RosterMember>;
  /** Devices removed and not added again: refused at the TLS handshake. */
  removed: Set<DeviceId>;
  clock: number;
}

type UnsignedOp = Omit<RosterOp, 'sig'>;

/** Honest members step the clock by one per op; concurrent edits add a few. */
const MAX_CLOCK_STEP = 1000;

function canonical(op: UnsignedOp): Buffer {
  return Buffer.from(
    JSON.stringify([op.kind, op.teamId, op.teamName, op.subject, op.subjectName, op.subjectCert, op.by, op.clock, op.atMs]),
  );
}

export function opDigest(op: RosterOp): string {
  return createHash('sha256').update(canonical(op)).update(op.sig).digest('hex');
}

export function signOp(op: UnsignedOp, key: KeyObject): RosterOp {
  return { ...op, sig: sign('sha256', canonical(op), key).toString('base64') };
}

const certCache = new Map<string, X509Certificate | null>();
function parseCert(pem: string): X509Certificate | null {
  let cert = certCache.get(pem);
  if (cert === undefined) {
    try {
      cert = new X509Certificate(pem);
    } catch {
      cert = null;
    }
    certCache.set(pem, cert);
  }
  return cert;
}

function signatureValid(op: RosterOp, signerCertPem: string): boolean {
  const cert = parseCert(signerCertPem);
  if (!cert) return false;
  try {
    return verify('sha256', canonical(op), cert.publicKey, Buffer.from(op.sig, 'base64'));
  } catch {
    return false;
  }
}

function certMatches(op: RosterOp): boolean {
  const cert = parseCert(op.subjectCert);
  return cert !== null && deviceIdFromCertDer(cert.raw) === op.subject;
}

/** Folds a set of ops into the roster they describe; null if there is no valid `create`. */
export function foldRoster(ops: readonly RosterOp[]): RosterState | null {
  const sorted = [...ops].sort((a, b) => a.clock - b.clock || (opDigest(a) < opDigest(b) ? -1 : 1));
  let state: RosterState | null = null;
  for (const op of sorted) {
    if (!state) {
      if (op.kind !== 'create' || op.subject !== op.by || !certMatches(op) || !signatureValid(op, op.subjectCert)) continue;
      state = { teamId: op.teamId, teamName: op.teamName, members: new Map(), removed: new Set(), clock: op.clock };
      state.members.set(op.subject, { deviceId: op.subject, name: op.subjectName, certPem: op.subjectCert, addedBy: op.by });
      continue;
    }
    const signer = state.members.get(op.by);
    if (op.teamId !== state.teamId || op.kind === 'create' || !signer || !signatureValid(op, signer.certPem)) continue;
    // A member cannot jump the clock far ahead: a clock near the schema's limit would make every
    // later op unsendable, and so the signer impossible to remove.
    if (op.clock > state.clock + MAX_CLOCK_STEP) continue;
    // Only valid ops move the clock: a forged op with a huge clock must not push ours past the schema's limit.
    state.clock = Math.max(state.clock, op.clock);
    state.teamName = op.teamName;
    if (op.kind === 'add') {
      if (!certMatches(op)) continue;
      state.members.set(op.subject, { deviceId: op.subject, name: op.subjectName, certPem: op.subjectCert, addedBy: op.by });
      state.removed.delete(op.subject);
    } else {
      state.members.delete(op.subject);
      state.removed.add(op.subject);
    }
  }
  return state;
}

/** The live roster of this device's team: its ops, their fold, and the edits this device signs. */
export class TeamRoster {
  private ops = new Map<string, RosterOp>();
  private state: RosterState | null = null;

  constructor(
    private readonly selfId: DeviceId,
    private readonly selfCertPem: string,
    private readonly key: KeyObject,
    ops: readonly RosterOp[] = [],
  ) {
    this.merge(ops);
  }

  get current(): RosterState | null {
    return this.state;
  }

  allOps(): RosterOp[] {
    return [...this.ops.values()];
  }

  isMember(id: DeviceId): boolean {
    return this.state?.members.has(id) ?? false;
  }

  isRemoved(id: DeviceId): boolean {
    return this.state?.removed.has(id) ?? false;
  }

  /** Unions in ops from a teammate; true if the roster changed. */
  merge(incoming: readonly RosterOp[]): boolean {
    let added = false;
    for (const op of incoming) {
      const digest = opDigest(op);
      if (this.ops.has(digest)) continue;
      if (this.state && op.teamId !== this.state.teamId) continue; // another team's ops are not ours to keep
      this.ops.set(digest, op);
      added = true;
    }
    if (!added) return false;
    const before = this.fingerprint();
    this.state = foldRoster([...this.ops.values()]);
    return this.fingerprint() !== before;
  }

  /** Replaces the whole roster (joining another team: a machine belongs to one team at a time). */
  replace(ops: readonly RosterOp[]): void {
    this.ops.clear();
    this.state = null;
    this.merge(ops);
  }

  create(teamId: string, teamName: string, selfName: string): RosterOp {
    this.replace([]);
    return this.append({ kind: 'create', teamId, teamName, subject: this.selfId, subjectName: selfName, subjectCert: this.selfCertPem });
  }

  add(subject: DeviceId, subjectName: string, subjectCert: string): RosterOp {
    return this.append({ kind: 'add', subject, subjectName, subjectCert, teamName: this.requireState().teamName });
  }

  remove(subject: DeviceId): RosterOp {
    const member = this.requireState().members.get(subject);
    return this.append({ kind: 'remove', subject, subjectName: member?.name ?? 'removed', subjectCert: '', teamName: this.requireState().teamName });
  }

  rename(teamName: string): RosterOp {
    const self = this.requireState().members.get(this.selfId)!;
    return this.append({ kind: 'add', subject: this.selfId, subjectName: self.name, subjectCert: this.selfCertPem, teamName });
  }

  private append(fields: Omit<UnsignedOp, 'by' | 'clock' | 'atMs' | 'teamId'> & { teamId?: string }): RosterOp {
    const op = signOp(
      {
        ...fields,
        teamId: fields.teamId ?? this.requireState().teamId,
        by: this.selfId,
        clock: (this.state?.clock ?? 0) + 1,
        atMs: Date.now(),
      } as UnsignedOp,
      this.key,
    );
    this.merge([op]);
    return op;
  }

  private requireState(): RosterState {
    if (!this.state) throw new Error('no team');
    return this.state;
  }

  private fingerprint(): string {
    if (!this.state) return '';
    const members = [...this.state.members.values()].map((m) => `${m.deviceId}:${m.name}`).sort();
    return JSON.stringify([this.state.teamId, this.state.teamName, members, [...this.state.removed].sort()]);
  }
}
