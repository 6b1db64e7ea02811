// Owns the side of pairing where this machine is asked to join: checking the commitment, showing
// the code, and waiting for its owner's yes or no (60 s at most). Approval is the owner's, never
// automatic: people accept prompts by reflex, so they compare a code first. Who may ask at all is
// pairing-admission.ts (rate, slots) and pairing-lock.ts (the pause after abandoned commitments).
//
//   connect --paused / over the rate / self / member / no slot--> refused (no slot held)
//   connect --slot taken--> hello --> nonce sent --> reveal checked --> pending (event, 60 s) --accept--> approved --welcome--> joined
//                                         |--no valid reveal: abandoned,          |--reject / expire / peer gone / superseded--> closed
//                                         |  counted by the lock--> closed
//   every way out releases the slot

import { randomBytes } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import type { WebSocket } from 'ws';
import { TroupeError, type ErrorCode } from '../../../shared/errors.js';
import type { PairRequest } from '../../../shared/control-api/index.js';
import type { DeviceId } from '../../../shared/model/index.js';
import { PROTOCOL_MINOR, PROTOCOL_VERSION, type RosterOp } from '../../../shared/protocol/index.js';
import { MAX_STORED_OPS } from './team-roster.js';
import { formatDeviceId } from '../identity/device-id.js';
import type { PeerCertificate } from '../transport/peer-certificate.js';
import { sessionBinding } from '../transport/peer-certificate.js';
import { commitment, newNonce, pairingCode } from './pairing-code.js';
import { PairingChannel } from './pairing-channel.js';
import { PairingAdmission, type PairingSlot, type PairRequestsRefused } from './pairing-admission.js';
import { PairingLock, type PairingLocked } from './pairing-lock.js';

export const PAIR_REQUEST_TTL_MS = 60_000;
const STEP_TIMEOUT_MS = 10_000;

export interface PairingResponderHost {
  selfId: DeviceId;
  selfName(): string;
  isMember(id: DeviceId): boolean;
  /** Adopt the team the initiator sent; throws if its roster does not hold both of us. */
  joinTeam(ops: RosterOp[], initiator: DeviceId, initiatorAddress: string): Promise<void>;
  requestReceived(request: PairRequest): void;
  requestClosed(requestId: string, outcome: 'accepted' | 'rejected' | 'expired' | 'cancelled'): void;
  /** Pairing is paused after repeated abandoned attempts: the owner should know. */
  pairingLocked?(locked: PairingLocked): void;
  /** Many connections were turned away in a short time: one notice, not a prompt each. */
  pairRequestsRefused?(notice: PairRequestsRefused): void;
}

interface Pending {
  request: PairRequest;
  channel: PairingChannel;
  initiatorAddress: string;
  timer: NodeJS.Timeout;
  deciding: boolean;
  slot: PairingSlot;
}

export class PairingResponder {
  private readonly pending = new Map<string, Pending>();
  private readonly admission: PairingAdmission;
  private readonly lock: PairingLock;

  constructor(
    private readonly host: PairingResponderHost,
    now: () => number = Date.now,
  ) {
    this.admission = new PairingAdmission((notice) => host.pairRequestsRefused?.(notice), now);
    this.lock = new PairingLock((locked) => host.pairingLocked?.(locked), now);
  }

  list(): PairRequest[] {
    return [...this.pending.values()].map((p) => p.request);
  }

  /** Until when pairing is paused after abandoned attempts; null when it is open. */
  lockedUntil(): number | null {
    return this.lock.lockedUntil();
  }

  async handle(ws: WebSocket, peer: PeerCertificate, remoteAddress: string, tls: TLSSocket): Promise<void> {
    const channel = new PairingChannel(ws);
    const refuse = (code: ErrorCode, message: string): void => channel.refuse(code, message);
    const turnAway = (code: ErrorCode, message: string): void => {
      this.admission.refused();
      refuse(code, message);
    };
    const paused = this.lock.refusal();
    if (paused) return turnAway('pairing-rate-limited', paused);
    if (!this.admission.withinRate(remoteAddress))
      return turnAway('pairing-rate-limited', 'Too many pairing attempts from your address; wait a minute and try again');
    if (peer.deviceId === this.host.selfId) return refuse('pairing-failed', 'A machine cannot pair with itself');
    if (this.host.isMember(peer.deviceId)) return refuse('already-member', 'We are already on the same team');
    const slot = this.admission.take(peer.deviceId, remoteAddress);
    if (!slot) return turnAway('pairing-busy', 'This machine already has pairing requests waiting; try again shortly');
    let requestId: string | null = null;
    slot.onSuperseded = () => {
      if (requestId) this.close(requestId, 'cancelled');
      refuse('pairing-failed', 'A newer pairing request from the same machine replaced this one');
    };
    ws.once('close', () => slot.release());
    const binding = sessionBinding(tls);
    try {
      const hello = await channel.next('pair.hello', STEP_TIMEOUT_MS);
      if (hello.protocol !== PROTOCOL_VERSION)
        return refuse(
          'protocol-mismatch',
          `This machine (${this.host.selfName()}) runs Troupe protocol ${PROTOCOL_VERSION}.${PROTOCOL_MINOR} and yours ${hello.protocol}.${hello.minor}; different major versions cannot pair. Update Troupe on the older machine.`,
        );
      // From our nonce on, the initiator can compute the code: only a few may go unrevealed.
      const commit = this.lock.open();
      if (!commit) {
        const locked = this.lock.refusal();
        return turnAway(
          locked ? 'pairing-rate-limited' : 'pairing-busy',
          locked ?? 'Another pairing handshake is finishing here; try again in a few seconds',
        );
      }
      const nonce = newNonce();
      let reveal: { nonce: string };
      try {
        channel.send({ type: 'pair.nonce', name: this.host.selfName(), nonce });
        reveal = await channel.next('pair.reveal', STEP_TIMEOUT_MS);
      } catch (err) {
        commit.abandoned();
        throw err;
      }
      if (commitment(reveal.nonce, peer.deviceId, this.host.selfId) !== hello.commitment) {
        commit.abandoned();
        return refuse('pairing-code-mismatch', 'The pairing handshake was tampered with (commitment did not match); nothing was paired');
      }
      commit.revealed();
      const request: PairRequest = {
        requestId: randomBytes(4).toString('hex'),
        deviceId: peer.deviceId,
        deviceIdDisplay: formatDeviceId(peer.deviceId),
        name: hello.name,
        teamName: hello.teamName,
        address: `${remoteAddress}:${hello.listenPort}`,
        code: pairingCode(reveal.nonce, nonce, peer.deviceId, this.host.selfId, binding),
        expiresAtMs: Date.now() + PAIR_REQUEST_TTL_MS,
      };
      if (channel.isEnded) return; // superseded or gone while we checked: nobody to ask for
      requestId = request.requestId;
      const timer = setTimeout(() => this.close(request.requestId, 'expired'), PAIR_REQUEST_TTL_MS);
      timer.unref();
      this.pending.set(request.requestId, { request, channel, initiatorAddress: request.address, timer, deciding: false, slot });
      ws.on('close', () => this.close(request.requestId, 'cancelled'));
      channel.send({ type: 'pair.pending', requestId: request.requestId, expiresInMs: PAIR_REQUEST_TTL_MS });
      this.host.requestReceived(request);
    } catch {
      channel.close(); // the initiator went away or misbehaved before asking anything of our owner
    } finally {
      if (!requestId) slot.release();
    }
  }

  async accept(requestId: string): Promise<void> {
    const p = this.take(requestId);
    p.channel.send({ type: 'pair.approved' });
    try {
      // The other machine's owner may still be comparing codes: wait as long as a request lives.
      const ops: RosterOp[] = [];
      await p.channel.collect('pair.welcome', PAIR_REQUEST_TTL_MS, (welcome) => {
        if (ops.length + welcome.ops.length > MAX_STORED_OPS)
          throw new TroupeError('pairing-failed', `The team's roster is over ${MAX_STORED_OPS} ops; nothing changed`);
        ops.push(...welcome.ops);
        return welcome.more;
      });
      await this.host.joinTeam(ops, p.request.deviceId, p.initiatorAddress);
      this.host.requestClosed(requestId, 'accepted');
    } catch (err) {
      this.host.requestClosed(requestId, 'cancelled');
      throw err instanceof TroupeError ? err : new TroupeError('pairing-failed', (err as Error).message);
    } finally {
      p.channel.close();
      p.slot.release();
    }
  }

  reject(requestId: string): void {
    const p = this.take(requestId);
    p.channel.refuse('pairing-rejected', 'The owner of the other machine declined');
    p.slot.release();
    this.host.requestClosed(requestId, 'rejected');
  }

  private take(requestId: string): Pending {
    const p = this.pending.get(requestId);
    if (!p || p.deciding) throw new TroupeError('not-found', `No pairing request ${requestId} is waiting (it may have expired)`);
    p.deciding = true;
    clearTimeout(p.timer);
    this.pending.delete(requestId);
    return p;
  }

  private close(requestId: string, outcome: 'expired' | 'cancelled'): void {
    const p = this.pending.get(requestId);
    if (!p) return;
    clearTimeout(p.timer);
    this.pending.delete(requestId);
    p.slot.release();
    if (outcome === 'expired') p.channel.refuse('pairing-expired', 'Nobody approved the pairing within 60 seconds');
    this.host.requestClosed(requestId, outcome);
  }
}
