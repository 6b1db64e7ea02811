import { createStore } from 'zustand/vanilla';
import type { ControlEvent } from '../../../shared/control-api/responses.js';
import { createCapacitySlice, reduceCapacity } from './capacity-slice.js';
import { createConnectionSlice } from './connection-slice.js';
import { createJobsSlice, reduceJobs } from './jobs-slice.js';
import { createNearbySlice, reduceNearby } from './nearby-slice.js';
import { createNoticesSlice, reduceNotices } from './notices-slice.js';
import { createPairingSlice, reducePairing } from './pairing-slice.js';
import { createPreferencesSlice } from './preferences-slice.js';
import { createStatusSlice, reduceStatus } from './status-slice.js';
import { createTeamSlice, reduceTeam } from './team-slice.js';
import type { EventReducer, StoreDeps, TroupeState, TroupeStore } from './troupe-state.js';

const REDUCERS: EventReducer[] = [reduceStatus, reduceTeam, reduceNearby, reducePairing, reduceJobs, reduceCapacity, reduceNotices];

/** Every slice's share of one event, as one update (each reducer sees the state before the event). */
export function reduceEvent(state: TroupeState, event: ControlEvent): Partial<TroupeState> {
  const changes: Partial<TroupeState> = {};
  for (const reduce of REDUCERS) Object.assign(changes, reduce(state, event));
  return changes;
}

export function createTroupeStore(deps: StoreDeps): TroupeStore {
  return createStore<TroupeState>()((set, get) => ({
    ...createConnectionSlice(reduceEvent)(set, get, deps),
    ...createStatusSlice(set, get, deps),
    ...createTeamSlice(set, get, deps),
    ...createNearbySlice(set, get, deps),
    ...createPairingSlice(set, get, deps),
    ...createJobsSlice(set, get, deps),
    ...createCapacitySlice(set, get, deps),
    ...createNoticesSlice(set, get, deps),
    ...createPreferencesSlice(set, get, deps),
  }));
}
