import { CAPACITY_HISTORY_MS, CAPACITY_SAMPLE_MS, type CapacitySample } from '../../../shared/control-api/responses.js';
import type { EventReducer, SliceCreator } from './troupe-state.js';

export interface CapacitySlice {
  /** The team's load over the last CAPACITY_HISTORY_MS, oldest first. */
  capacitySamples: CapacitySample[];
  capacityIntervalMs: number;
}

export const createCapacitySlice: SliceCreator<CapacitySlice> = () => ({
  capacitySamples: [],
  capacityIntervalMs: CAPACITY_SAMPLE_MS,
});

/** Keeps the window the chart shows, measured from the newest sample (the agent's clock, not ours). */
export function trimSamples(samples: CapacitySample[]): CapacitySample[] {
  const newest = samples[samples.length - 1];
  if (!newest) return samples;
  const from = newest.atMs - CAPACITY_HISTORY_MS;
  const first = samples.findIndex((s) => s.atMs >= from);
  return first <= 0 ? samples : samples.slice(first);
}

export const reduceCapacity: EventReducer = (state, event) => {
  if (event.type !== 'capacitySampled') return null;
  const samples = state.capacitySamples;
  const last = samples[samples.length - 1];
  // A sample at or before the last one is a repeat after a reconnect.
  if (last && event.sample.atMs <= last.atMs) return null;
  return { capacitySamples: trimSamples([...samples, event.sample]) };
};
