// Owns the side of pairing that adds another machine to our team: connect, commit, reveal, show
// the code, then sign the newcomer into the roster once its owner approves.
//
//   connect --> hello(commitment) --> nonce --> reveal, code shown --> awaiting-approval
//        awaiting-approval --their owner approved AND our owner confirmed the code--> welcome sent --> paired
//        awaiting-approval --rejected / declined / expired / connection lost--> rejected | expired | failed
//
// Both owners act: theirs approves, ours confirms the two screens show the same code. Without our
// confirmation, whoever answers at the address (or announces a familiar name) could approve itself.

import { randomBytes } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import WebSocket from 'ws';
import { TroupeError, toErrorBody } from '../../../shared/errors.js';
import type { Pairing } from '../../../shared/control-api/index.js';
import type { DeviceId } from '../../../shared/model/index.js';
import { MAX_FRAME_BYTES, PROTOCOL_FEATURES, PROTOCOL_MINOR, PROTOCOL_VERSION, type RosterOp } from '../../../shared/protocol/index.js';
import { rosterBatches } from './roster-batches.js';
import type { Identity } from '../identity/identity-store.js';
import { peerCertificate, sessionBinding, type PeerCertificate } from '../transport/peer-certificate.js';
import { commitment, newNonce, pairingCode } from './pairing-code.js';
import { PairingChannel } from './pairing-channel.js';
import { PAIR_REQUEST_TTL_MS } from './pairing-responder.js';

const CONNECT_TIMEOUT_MS = 5000;
const STEP_TIMEOUT_MS = 10_000;

export interface PairingInitiatorHost {
  identity: Identity;
  selfName(): string;
  teamName(): string;
  listenPort(): number;
  isMember(id: DeviceId): boolean;
  /** Signs the newcomer into the roster (making a team first if we have none); returns every op. */
  admit(peer: PeerCertificate, name: string, address: string): Promise<RosterOp[]>;
  pairingChanged(pairing: Pairing): void;
}

export class PairingInitiator {
  private readonly pairings = new Map<string, Pairing>();
  private readonly decisions = new Map<string, { confirm: () => void; decline: () => void }>();

  constructor(private readonly host: PairingInitiatorHost) {}

  get(pairingId: string): Pairing | undefined {
    return this.pairings.get(pairingId);
  }

  /** Our owner saw the same code on both screens. */
  confirm(pairingId: string): Pairing {
    const decision = this.decisions.get(pairingId);
    if (!decision) throw new TroupeError('not-found', `No pairing ${pairingId} is waiting for your confirmation (it may have ended)`);
    decision.confirm();
    return this.pairings.get(pairingId)!;
  }

  /** Our owner saw a different code, or changed their mind. */
  decline(pairingId: string): void {
    const decision = this.decisions.get(pairingId);
    if (!decision) throw new TroupeError('not-found', `No pairing ${pairingId} is waiting for your confirmation (it may have ended)`);
    decision.decline();
  }

  /** Resolves once both sides know the code; the outcome arrives later through pairingChanged. */
  async start(address: string, expectedId: DeviceId | null): Promise<Pairing> {
    const { channel, peer, binding } = await this.connect(address, expectedId);
    if (peer.deviceId === this.host.identity.deviceId) throw fail(channel, 'That address is this machine');
    if (this.host.isMember(peer.deviceId)) throw fail(channel, 'That machine is already on your team', 'already-member');
    const ours = newNonce();
    channel.send({
      type: 'pair.hello',
      protocol: PROTOCOL_VERSION,
      minor: PROTOCOL_MINOR,
      features: [...PROTOCOL_FEATURES],
      name: this.host.selfName(),
      teamName: this.host.teamName(),
      listenPort: this.host.listenPort(),
      commitment: commitment(ours, this.host.identity.deviceId, peer.deviceId),
    });
    let pairing: Pairing;
    try {
      const theirs = await channel.next('pair.nonce', STEP_TIMEOUT_MS);
      channel.send({ type: 'pair.reveal', nonce: ours });
      pairing = {
        pairingId: randomBytes(4).toString('hex'),
        target: address,
        deviceId: peer.deviceId,
        name: theirs.name,
        code: pairingCode(ours, theirs.nonce, this.host.identity.deviceId, peer.deviceId, binding),
        state: 'awaiting-approval',
        confirmed: false,
        error: null,
      };
    } catch (err) {
      channel.close();
      throw err;
    }
    this.pairings.set(pairing.pairingId, pairing);
    void this.finish(pairing, channel, peer, address);
    return pairing;
  }

  private async finish(pairing: Pairing, channel: PairingChannel, peer: PeerCertificate, address: string): Promise<void> {
    let confirm!: () => void;
    let stop!: (err: Error) => void;
    const confirmed = new Promise<void>((resolve) => (confirm = resolve));
    // A decline (or no confirmation in time) ends the pairing whatever step it is at, until the newcomer is admitted.
    const stopped = new Promise<never>((_, reject) => (stop = reject));
    stopped.catch(() => undefined); // observed by the race below
    const timer = setTimeout(
      () => stop(new TroupeError('pairing-expired', 'The code was not confirmed on this machine within 60 seconds')),
      PAIR_REQUEST_TTL_MS,
    );
    this.decisions.set(pairing.pairingId, {
      confirm: () => {
        pairing.confirmed = true;
        confirm();
      },
      decline: () => stop(new TroupeError('pairing-rejected', 'You declined: the codes did not match, or you changed your mind')),
    });
    try {
      const bothAgree = (async () => {
        await channel.next('pair.pending', STEP_TIMEOUT_MS);
        await Promise.all([channel.next('pair.approved', PAIR_REQUEST_TTL_MS + 5000), confirmed]);
      })();
      bothAgree.catch(() => undefined); // if the race is lost to a decline, this one's failure is expected
      await Promise.race([bothAgree, stopped]);
      this.decisions.delete(pairing.pairingId); // from here on, the newcomer is being admitted
      const ops = await this.host.admit(peer, pairing.name, address);
      const batches = rosterBatches(ops);
      batches.forEach((batch, i) => channel.send({ type: 'pair.welcome', ops: batch, more: i < batches.length - 1 }));
      pairing.state = 'paired';
    } catch (err) {
      const body = toErrorBody(err);
      pairing.state = body.code === 'pairing-rejected' ? 'rejected' : body.code === 'pairing-expired' ? 'expired' : 'failed';
      pairing.error = body;
      channel.refuse(body.code, body.message); // tells their side why, if it is still listening
    } finally {
      clearTimeout(timer);
      this.decisions.delete(pairing.pairingId);
    }
    this.host.pairingChanged({ ...pairing });
    setTimeout(() => this.pairings.delete(pairing.pairingId), 10 * 60_000).unref();
  }

  private connect(
    address: string,
    expectedId: DeviceId | null,
  ): Promise<{ channel: PairingChannel; peer: PeerCertificate; binding: Buffer }> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`wss://${address}/pair`, {
        cert: this.host.identity.certPem,
        key: this.host.identity.keyPem,
        rejectUnauthorized: false, // self-signed by design; the code the owners compare authenticates
        minVersion: 'TLSv1.3',
        maxPayload: MAX_FRAME_BYTES,
        handshakeTimeout: CONNECT_TIMEOUT_MS,
        perMessageDeflate: false,
      });
      let peer: PeerCertificate | null = null;
      let binding: Buffer | null = null;
      ws.on('upgrade', (res) => {
        const tls = res.socket as TLSSocket;
        peer = peerCertificate(tls);
        binding = sessionBinding(tls);
      });
      ws.on('open', () => {
        if (!peer || !binding) return reject(new TroupeError('pairing-failed', `${address} sent no certificate`));
        const channel = new PairingChannel(ws);
        if (expectedId && peer.deviceId !== expectedId) {
          return reject(fail(channel, `The machine at ${address} is not the one that was announced there; not pairing`));
        }
        resolve({ channel, peer, binding });
      });
      ws.on('unexpected-response', (_req, res) =>
        reject(new TroupeError('pairing-failed', `${address} refused pairing (HTTP ${res.statusCode})`)),
      );
      ws.on('error', (err) =>
        reject(
          new TroupeError('peer-unreachable', `Could not reach ${address}: ${err.message}. Is Troupe running there, and is the port open?`),
        ),
      );
    });
  }
}

function fail(channel: PairingChannel, message: string, code: 'pairing-failed' | 'already-member' = 'pairing-failed'): TroupeError {
  channel.refuse(code, message);
  return new TroupeError(code, message);
}
