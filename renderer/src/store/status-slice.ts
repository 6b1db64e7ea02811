import type { AgentStatus, EngineActionDone, EngineActionInfo } from '../../../shared/control-api/responses.js';
import type { RouteBody } from '../../../shared/control-api/routes.js';
import type { EventReducer, SliceCreator } from './troupe-state.js';

export interface StatusSlice {
  /** This machine's agent; null until the first answer. */
  status: AgentStatus | null;
  setSharing(body: RouteBody<'setSharing'>): Promise<void>;
  /** What this machine's engines offer to do here (install the Blender add-on); null until asked. */
  engineActions: EngineActionInfo[] | null;
  loadEngineActions(): Promise<void>;
  runEngineAction(action: EngineActionInfo): Promise<EngineActionDone>;
}

export const createStatusSlice: SliceCreator<StatusSlice> = (set, _get, { client }) => ({
  status: null,
  async setSharing(body) {
    set({ status: await client.call('setSharing', body) });
  },
  engineActions: null,
  async loadEngineActions() {
    set({ engineActions: await client.call('engineActions') });
  },
  runEngineAction(action) {
    return client.call('runEngineAction', { engine: action.engine, action: action.action });
  },
});

export const reduceStatus: EventReducer = (state, event) => {
  if (event.type === 'statusChanged') return { status: event.status };
  if (event.type === 'pairingLocked' && state.status) return { status: { ...state.status, pairingLockedUntilMs: event.untilMs } };
  return null;
};
