// Owns the side of pairing where this machine is asked to join: checking the commitment, showing
// the code, and waiting for its owner's yes or no (60 s at most). Approval is the owner's, never
// automatic: people accept prompts by reflex, so they compare a code first.
//
//   hello --> nonce sent --> reveal checked --> pending (event, 60 s) --accept--> approved --welcome--> joined
//                                                  |--reject / expire / peer gone--> closed

import { randomBytes } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import type { WebSocket } from 'ws';
import { TroupeError } from '../../../shared/errors.js';
import type { PairRequest } from '../../../shared/control-api/index.js';
import type { DeviceId } from '../../../shared/model/index.js';
import { PROTOCOL_VERSION, type RosterOp } from '../../../shared/protocol/index.js';
import { formatDeviceId } from '../identity/device-id.js';
import type { PeerCertificate } from '../transport/peer-certificate.js';
import { sessionBinding } from '../transport/peer-certificate.js';
import { commitment, newNonce, pairingCode } from './pairing-code.js';
import { PairingChannel } from './pairing-channel.js';
import { RateLimiter } from './rate-limiter.js';

export const PAIR_REQUEST_TTL_MS = 60_000;
const STEP_TIMEOUT_MS = 10_000;
const MAX_PENDING = 3;

export interface PairingResponderHost {
  selfId: DeviceId;
  selfName(): string;
  isMember(id: DeviceId): boolean;
  /** Adopt the team the initiator sent; throws if its roster does not hold both of us. */
  joinTeam(ops: RosterOp[], initiator: DeviceId, initiatorAddress: string): Promise<void>;
  requestReceived(request: PairRequest): void;
  requestClosed(requestId: string, outcome: 'accepted' | 'rejected' | 'expired' | 'cancelled'): void;
}

interface Pending {
  request: PairRequest;
  channel: PairingChannel;
  initiatorAddress: string;
  timer: NodeJS.Timeout;
  deciding: boolean;
}

export class PairingResponder {
  private readonly pending = new Map<string, Pending>();
  // Five attempts a minute per address: enough for typos, too few to grind codes or flood prompts.
  private readonly limiter = new RateLimiter(5, 60_000);

  constructor(private readonly host: PairingResponderHost) {}

  list(): PairRequest[] {
    return [...this.pending.values()].map((p) => p.request);
  }

  async handle(ws: WebSocket, peer: PeerCertificate, remoteAddress: string, tls: TLSSocket): Promise<void> {
    const channel = new PairingChannel(ws);
    const refuse = (code: Parameters<PairingChannel['refuse']>[0], message: string): void => channel.refuse(code, message);
    if (!this.limiter.tryAcquire(remoteAddress))
      return refuse('pairing-rate-limited', 'Too many pairing attempts from your address; wait a minute and try again');
    if (this.pending.size >= MAX_PENDING) return refuse('pairing-busy', 'This machine already has pairing requests waiting; try again shortly');
    if (peer.deviceId === this.host.selfId) return refuse('pairing-failed', 'A machine cannot pair with itself');
    if (this.host.isMember(peer.deviceId)) return refuse('already-member', 'We are already on the same team');
    const binding = sessionBinding(tls);
    try {
      const hello = await channel.next('pair.hello', STEP_TIMEOUT_MS);
      if (hello.protocol !== PROTOCOL_VERSION)
        return refuse('protocol-mismatch', `This machine speaks Troupe protocol ${PROTOCOL_VERSION}, yours ${hello.protocol}; update both`);
      const nonce = newNonce();
      channel.send({ type: 'pair.nonce', name: this.host.selfName(), nonce });
      const reveal = await channel.next('pair.reveal', STEP_TIMEOUT_MS);
      if (commitment(reveal.nonce, peer.deviceId, this.host.selfId) !== hello.commitment)
        return refuse('pairing-code-mismatch', 'The pairing handshake was tampered with (commitment did not match); nothing was paired');
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
      const timer = setTimeout(() => this.close(request.requestId, 'expired'), PAIR_REQUEST_TTL_MS);
      timer.unref();
      this.pending.set(request.requestId, { request, channel, initiatorAddress: request.address, timer, deciding: false });
      ws.on('close', () => this.close(request.requestId, 'cancelled'));
      channel.send({ type: 'pair.pending', requestId: request.requestId, expiresInMs: PAIR_REQUEST_TTL_MS });
      this.host.requestReceived(request);
    } catch {
      channel.close(); // the initiator went away or misbehaved before asking anything of our owner
    }
  }

  async accept(requestId: string): Promise<void> {
    const p = this.take(requestId);
    p.channel.send({ type: 'pair.approved' });
    try {
      // The other machine's owner may still be comparing codes: wait as long as a request lives.
      const welcome = await p.channel.next('pair.welcome', PAIR_REQUEST_TTL_MS);
      await this.host.joinTeam(welcome.ops, p.request.deviceId, p.initiatorAddress);
      this.host.requestClosed(requestId, 'accepted');
    } catch (err) {
      this.host.requestClosed(requestId, 'cancelled');
      throw err instanceof TroupeError ? err : new TroupeError('pairing-failed', (err as Error).message);
    } finally {
      p.channel.close();
    }
  }

  reject(requestId: string): void {
    const p = this.take(requestId);
    p.channel.refuse('pairing-rejected', 'The owner of the other machine declined');
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
    if (outcome === 'expired') p.channel.refuse('pairing-expired', 'Nobody approved the pairing within 60 seconds');
    this.host.requestClosed(requestId, outcome);
  }
}
