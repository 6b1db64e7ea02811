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

export const reduceNearby: EventReducer = (_state, event) => (event.type === 'nearbyChanged' ? { nearby: event.nearby } : null);
