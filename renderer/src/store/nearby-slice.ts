import type { NearbyDevice } from '../../../shared/model/index.js';
import type { EventReducer, SliceCreator } from './troupe-state.js';

export interface NearbySlice {
  nearby: NearbyDevice[];
  /** Where multicast does not reach: the agent dials `host:port` and, if it answers, lists it. */
  addNearby(address: string): Promise<NearbyDevice>;
}

export const createNearbySlice: SliceCreator<NearbySlice> = (set, get, { client }) => ({
  nearby: [],
  async addNearby(address) {
    const device = await client.call('addNearby', { address });
    set({ nearby: [...get().nearby.filter((d) => d.deviceId !== device.deviceId), device] });
    return device;
  },
});

/** The agent sends what changed; the whole list comes with the first read and after a reconnect. */
export const reduceNearby: EventReducer = (state, event) => {
  if (event.type !== 'nearbyChanged') return null;
  const drop = new Set([...event.gone, ...event.changed.map((d) => d.deviceId)]);
  const nearby = [...state.nearby.filter((d) => !drop.has(d.deviceId)), ...event.changed].sort((a, b) => a.name.localeCompare(b.name));
  return { nearby };
};
