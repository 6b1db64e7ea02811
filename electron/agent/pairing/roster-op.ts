// Owns one roster op on its own: its canonical bytes, its id, its signature, and the fields of
// each kind. Where an op stands among others (causality, who may sign what) is roster-fold's.
//
// Why each rule is here (a review found each hole in the first roster):
// - The id is a hash of the canonical content without the signature, so re-encoding a signature
//   (appending "=" to base64, or the high-S twin of an ECDSA signature) cannot mint a second op.
// - Signatures are IEEE-P1363 (r || s, 64 bytes) with s in the low half, in strict base64: one
//   op has one valid encoding of its signature.
// - A `create` fixes the team id as a hash of itself, so there is exactly one `create` per team:
//   a second one signed later names another team.
// - Canonical bytes cover every field, also fields this version does not know, so a newer
//   teammate's additions are signed, checked, and passed on intact.

import { createHash, sign, verify, X509Certificate, type KeyObject } from 'node:crypto';
import { decode, encode } from '@msgpack/msgpack';
import { z } from 'zod';
import type { DeviceId } from '../../../shared/model/index.js';
import type { RosterOp } from '../../../shared/protocol/index.js';
import { deviceIdFromCertDer } from '../identity/device-id.js';

export type OpId = string;

/** An op of any kind, before it is signed. */
export type UnsignedOp = Omit<RosterOp, 'sig'>;

/** Largest canonical op; a snapshot (a whole roster) may be bigger, up to MAX_SNAPSHOT_BYTES. */
export const MAX_OP_BYTES = 8 * 1024;
export const MAX_SNAPSHOT_BYTES = 512 * 1024;
/**
 * Members a team may have, and removals a snapshot remembers: a LAN team is a handful of machines,
 * and any roster must fit one snapshot (256 certificates of about 900 bytes, 2000 ids of 66).
 */
export const MAX_MEMBERS = 256;
export const MAX_REMEMBERED_REMOVALS = 2000;

// P-256 group order: a signature (r, s) and (r, n - s) both verify, so only s <= n/2 is accepted.
const P256_N = BigInt('0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551');
const HALF_N = P256_N >> 1n;

const name = z.string().min(1).max(64);
const hex64 = z.string().regex(/^[0-9a-f]{64}$/);
const pem = z.string().min(100).max(4096);

const snapshotMember = z.object({ id: hex64, name, cert: pem, addedBy: hex64, rank: z.number().int().min(0) });
export const snapshotStateSchema = z.object({
  teamName: name,
  members: z.array(snapshotMember).min(1).max(MAX_MEMBERS),
  removed: z.array(hex64).max(MAX_REMEMBERED_REMOVALS),
  /** The next seniority rank to give. */
  nextRank: z.number().int().min(0),
});
export type SnapshotState = z.infer<typeof snapshotStateSchema>;

/** The fields each kind must have (the common fields are checked by rosterOpSchema). */
const KIND_BODIES = {
  /** Starts a team: `by` is its founder; the team id is the hash of this op (see teamIdOf). */
  create: z.object({ teamName: name, subjectName: name, subjectCert: pem, nonce: z.string().regex(/^[0-9a-f]{32}$/) }),
  add: z.object({ subject: hex64, subjectName: name, subjectCert: pem }),
  remove: z.object({ subject: hex64 }),
  /** The author's own device name. */
  rename: z.object({ name }),
  'team-name': z.object({ teamName: name }),
  /** The whole roster as folded from this op's causal past; lets members forget that past. */
  snapshot: z.object({ state: snapshotStateSchema }),
} as const;
export type KnownKind = keyof typeof KIND_BODIES;
export type OpBody<K extends KnownKind> = z.infer<(typeof KIND_BODIES)[K]>;

export function isKnownKind(kind: string): kind is KnownKind {
  return Object.hasOwn(KIND_BODIES, kind);
}

/** The kind-specific fields of an op of a known kind; null if they are missing or malformed. */
export function bodyOf<K extends KnownKind>(op: RosterOp, kind: K): OpBody<K> | null {
  if (op.kind !== kind) return null;
  const parsed = KIND_BODIES[kind].safeParse(op);
  return parsed.success ? (parsed.data as OpBody<K>) : null;
}

/** Deterministic JSON: keys sorted at every level, no whitespace, `sig` left out at the top. */
export function canonicalBytes(op: UnsignedOp | RosterOp): Buffer {
  const rest: Record<string, unknown> = { ...op };
  delete rest.sig;
  return Buffer.from(canonicalJson(rest));
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.keys(value)
      .sort()
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export function opId(op: UnsignedOp | RosterOp): OpId {
  return createHash('sha256').update('troupe-roster-op\0').update(canonicalBytes(op)).digest('hex');
}

/** A create's team id: the hash of its content other than the team id itself. */
export function teamIdOf(create: UnsignedOp | RosterOp): string {
  const rest: Record<string, unknown> = { ...create };
  delete rest.teamId;
  return createHash('sha256')
    .update('troupe-team\0')
    .update(canonicalBytes(rest as UnsignedOp))
    .digest('hex')
    .slice(0, 32);
}

export function signOp(op: UnsignedOp, key: KeyObject): RosterOp {
  const raw = sign('sha256', Buffer.from(opId(op), 'hex'), { key, dsaEncoding: 'ieee-p1363' });
  return { ...op, sig: lowS(raw).toString('base64') } as RosterOp;
}

function lowS(sig: Buffer): Buffer {
  const s = BigInt('0x' + sig.subarray(32).toString('hex'));
  if (s <= HALF_N) return sig;
  const out = Buffer.from(sig);
  Buffer.from((P256_N - s).toString(16).padStart(64, '0'), 'hex').copy(out, 32);
  return out;
}

/** Whether `sig` is the one canonical encoding of a valid signature by `certPem` over the op. */
export function signatureValid(op: RosterOp, certPem: string, id: OpId = opId(op)): boolean {
  const raw = Buffer.from(op.sig, 'base64');
  if (raw.length !== 64 || raw.toString('base64') !== op.sig) return false; // strict base64: one text per signature
  const s = BigInt('0x' + raw.subarray(32).toString('hex'));
  if (s === 0n || s > HALF_N) return false;
  const cert = parseCert(certPem);
  if (!cert) return false;
  try {
    return verify('sha256', Buffer.from(id, 'hex'), { key: cert.publicKey, dsaEncoding: 'ieee-p1363' }, raw);
  } catch {
    return false;
  }
}

/** Whether a PEM certificate is the one whose hash is `id` (a device id names exactly one certificate). */
export function certIsFor(certPem: string, id: DeviceId): boolean {
  const cert = parseCert(certPem);
  return cert !== null && deviceIdFromCertDer(cert.raw) === id;
}

const certCache = new Map<string, X509Certificate | null>();
function parseCert(pemText: string): X509Certificate | null {
  let cert = certCache.get(pemText);
  if (cert === undefined) {
    try {
      cert = new X509Certificate(pemText);
    } catch {
      cert = null;
    }
    if (certCache.size > 2000) certCache.clear(); // certificates of a team are few; a flood of others must not pile up
    certCache.set(pemText, cert);
  }
  return cert;
}

/**
 * The checks an op passes on its own, before it is stored: its kind's fields, its size, its deps,
 * and for a create its team id. Signature and authority need other ops and are checked by the store.
 * Returns null when fine, else the reason.
 */
export function opShapeProblem(op: RosterOp, id: OpId = opId(op)): string | null {
  // A string that is not well-formed UTF-16 (a lone surrogate) does not survive msgpack's UTF-8
  // round trip: a member would store one op and pass on another, whose signature fails
  // everywhere else, and every op it signs afterwards would reference the one nobody can store.
  if (!wellFormed(op)) return 'op with a malformed string or number';
  try {
    if (opId(decode(encode(op)) as RosterOp) !== id) return 'op that does not survive its own encoding';
  } catch {
    return 'op that does not survive its own encoding';
  }
  const bytes = canonicalBytes(op).length;
  const limit = op.kind === 'snapshot' ? MAX_SNAPSHOT_BYTES : MAX_OP_BYTES;
  if (bytes > limit) return `op of ${bytes} bytes is over ${limit}`;
  if (new Set(op.deps).size !== op.deps.length) return 'repeated dep';
  if (op.kind === 'create') {
    const body = bodyOf(op, 'create');
    if (!body) return 'create without its fields';
    if (op.deps.length !== 0 || op.clock !== 1) return 'create must be the first op (no deps, clock 1)';
    if (teamIdOf(op) !== op.teamId) return 'create whose team id is not its own hash';
    if (!certIsFor(body.subjectCert, op.by)) return "create whose certificate is not its author's";
    return null;
  }
  if (op.deps.length === 0) return 'op without causal references';
  if (isKnownKind(op.kind) && !bodyOf(op, op.kind)) return `${op.kind} op with missing or malformed fields`;
  if (op.kind === 'add' && !certIsFor(bodyOf(op, 'add')!.subjectCert, bodyOf(op, 'add')!.subject))
    return 'add whose certificate is not its subject';
  if (op.kind === 'snapshot' && !bodyOf(op, 'snapshot')!.state.members.every((m) => certIsFor(m.cert, m.id)))
    return 'snapshot with a certificate that is not its member';
  return null;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function wellFormed(value: unknown): boolean {
  if (typeof value === 'string') return !LONE_SURROGATE.test(value);
  // NaN and ±Infinity are null in the canonical JSON but themselves in msgpack: one id, two ops.
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every(wellFormed);
  if (value && typeof value === 'object') return Object.entries(value).every(([k, v]) => !LONE_SURROGATE.test(k) && wellFormed(v));
  return true;
}
