// Owns the UI's one store: slices for team, nearby, pairing, jobs, capacity, status, notices,
// preferences and the connection, fed by the agent's event stream. Talking to the agent is the
// api module's business; drawing is the components'.

export { createTroupeStore, reduceEvent } from './create-troupe-store.js';
export type { TroupeState, TroupeStore, StoreDeps } from './troupe-state.js';
export { StoreProvider, useTroupe, useTroupeStore, useConnection } from './store-context.js';
export { jobsNewestFirst } from './jobs-slice.js';
export type { Notice } from './notices-slice.js';
export type { Theme } from './preferences-slice.js';
