import type { Pairing, PairRequest } from '../../../shared/control-api/responses.js';
import type { EventReducer, SliceCreator } from './troupe-state.js';

/**
 * Pairing seen from both ends. On the machine that adds: a pairing it started, whose code the
 * owner compares with the other screen and confirms. On the machine being added: a request its
 * owner approves or rejects. The agent drives both; we show what its events say.
 *
 *   startPairing --> awaiting-approval --(other side approves, we confirm)--> paired
 *                          |--> rejected | failed | expired   (error says why)
 */
export interface PairingSlice {
  /** Pairings this machine started, newest last; finished ones stay until dismissed. */
  pairings: Pairing[];
  /** Requests waiting for this machine's owner. */
  pairRequests: PairRequest[];
  startPairing(target: string): Promise<Pairing>;
  confirmPairing(pairingId: string): Promise<void>;
  declinePairing(pairingId: string): Promise<void>;
  dismissPairing(pairingId: string): void;
  acceptRequest(requestId: string): Promise<void>;
  rejectRequest(requestId: string): Promise<void>;
}

function upsertPairing(pairings: Pairing[], pairing: Pairing): Pairing[] {
  const rest = pairings.filter((p) => p.pairingId !== pairing.pairingId);
  return [...rest, pairing];
}

export const createPairingSlice: SliceCreator<PairingSlice> = (set, get, { client }) => ({
  pairings: [],
  pairRequests: [],
  async startPairing(target) {
    const pairing = await client.call('startPairing', { target });
    set({ pairings: upsertPairing(get().pairings, pairing) });
    return pairing;
  },
  async confirmPairing(pairingId) {
    const pairing = await client.call('confirmPairing', { pairingId });
    set({ pairings: upsertPairing(get().pairings, pairing) });
  },
  async declinePairing(pairingId) {
    await client.call('declinePairing', { pairingId });
    get().dismissPairing(pairingId);
  },
  dismissPairing(pairingId) {
    set({ pairings: get().pairings.filter((p) => p.pairingId !== pairingId) });
  },
  async acceptRequest(requestId) {
    await client.call('acceptRequest', { requestId });
    set({ pairRequests: get().pairRequests.filter((r) => r.requestId !== requestId) });
  },
  async rejectRequest(requestId) {
    await client.call('rejectRequest', { requestId });
    set({ pairRequests: get().pairRequests.filter((r) => r.requestId !== requestId) });
  },
});

export const reducePairing: EventReducer = (state, event) => {
  switch (event.type) {
    case 'pairingChanged':
      return { pairings: upsertPairing(state.pairings, event.pairing) };
    case 'pairRequestReceived': {
      const rest = state.pairRequests.filter((r) => r.requestId !== event.request.requestId);
      return { pairRequests: [...rest, event.request] };
    }
    case 'pairRequestClosed':
      return { pairRequests: state.pairRequests.filter((r) => r.requestId !== event.requestId) };
    default:
      return null;
  }
};
