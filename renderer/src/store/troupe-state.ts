// The combined store's shape and what every slice is built from. Slices are in their own files;
// each owns its fields, its actions, and a pure function that folds an agent event into them.

import type { StoreApi } from 'zustand/vanilla';
import type { ControlEvent } from '../../../shared/control-api/responses.js';
import type { TroupeClient } from '../api/agent-connection.js';
import type { CapacitySlice } from './capacity-slice.js';
import type { ConnectionSlice } from './connection-slice.js';
import type { JobsSlice } from './jobs-slice.js';
import type { NearbySlice } from './nearby-slice.js';
import type { NoticesSlice } from './notices-slice.js';
import type { PairingSlice } from './pairing-slice.js';
import type { PreferencesSlice } from './preferences-slice.js';
import type { StatusSlice } from './status-slice.js';
import type { TeamSlice } from './team-slice.js';

export type TroupeState = ConnectionSlice &
  StatusSlice &
  TeamSlice &
  NearbySlice &
  PairingSlice &
  JobsSlice &
  CapacitySlice &
  NoticesSlice &
  PreferencesSlice;

export type TroupeStore = StoreApi<TroupeState>;

export interface StoreDeps {
  client: TroupeClient;
  now: () => number;
  /** Where the theme choice is kept (localStorage in the app); null: not kept. */
  storage: Pick<Storage, 'getItem' | 'setItem'> | null;
}

type Set = StoreApi<TroupeState>['setState'];
type Get = StoreApi<TroupeState>['getState'];

/** Builds one slice: its initial fields and its actions, with the whole store in reach. */
export type SliceCreator<S> = (set: Set, get: Get, deps: StoreDeps) => S;

/** Folds one event into the fields a slice owns: the changed fields, or null when it is not its business. */
export type EventReducer = (state: TroupeState, event: ControlEvent) => Partial<TroupeState> | null;
