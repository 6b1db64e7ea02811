import { useMemo } from 'react';
import { useTroupe } from '../store/index.js';

/** Device id -> name, from the team and this machine's status: what legends and tables print. */
export function useWorkerNames(): Map<string, string> {
  const team = useTroupe((s) => s.team);
  const status = useTroupe((s) => s.status);
  return useMemo(() => {
    const names = new Map<string, string>();
    for (const m of team?.members ?? []) names.set(m.deviceId, m.name);
    if (status) names.set(status.deviceId, status.name);
    return names;
  }, [team, status]);
}
