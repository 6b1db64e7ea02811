import { useMemo } from 'react';
import { useTroupe } from '../store/index.js';
import { workerColour, workerColours } from './worker-colours.js';

/** The colour of each machine, distinct within the team; any other id gets one from its id. */
export function useWorkerColour(): (deviceId: string) => string {
  const team = useTroupe((s) => s.team);
  const selfId = useTroupe((s) => s.status?.deviceId);
  return useMemo(() => {
    const ids = (team?.members ?? []).map((m) => m.deviceId);
    if (selfId) ids.push(selfId);
    const colours = workerColours(ids);
    return (id: string) => colours.get(id) ?? workerColour(id);
  }, [team, selfId]);
}
