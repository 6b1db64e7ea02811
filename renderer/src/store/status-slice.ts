import type { AddonInstalled, AgentStatus } from '../../../shared/control-api/responses.js';
import type { RouteBody } from '../../../shared/control-api/routes.js';
import type { EventReducer, SliceCreator } from './troupe-state.js';

export interface StatusSlice {
  /** This machine's agent; null until the first answer. */
  status: AgentStatus | null;
  setSharing(body: RouteBody<'setSharing'>): Promise<void>;
  /** Installs Troupe's add-on into this machine's Blender. */
  installBlenderAddon(): Promise<AddonInstalled>;
}

export const createStatusSlice: SliceCreator<StatusSlice> = (set, _get, { client }) => ({
  status: null,
  async setSharing(body) {
    set({ status: await client.call('setSharing', body) });
  },
  installBlenderAddon() {
    return client.call('installBlenderAddon');
  },
});

export const reduceStatus: EventReducer = (state, event) => {
  if (event.type === 'statusChanged') return { status: event.status };
  if (event.type === 'pairingLocked' && state.status) return { status: { ...state.status, pairingLockedUntilMs: event.untilMs } };
  return null;
};
