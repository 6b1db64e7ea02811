import type { TeamView } from '../../../shared/model/index.js';
import type { EventReducer, SliceCreator } from './troupe-state.js';

export interface TeamSlice {
  /** The team this machine is on; null: none yet. */
  team: TeamView | null;
  removeMember(deviceId: string): Promise<void>;
}

export const createTeamSlice: SliceCreator<TeamSlice> = (_set, _get, { client }) => ({
  team: null,
  async removeMember(deviceId) {
    // The roster change comes back as teamChanged, on every teammate alike.
    await client.call('removeMember', { member: deviceId });
  },
});

export const reduceTeam: EventReducer = (state, event) => {
  switch (event.type) {
    case 'teamChanged':
      return { team: event.team };
    case 'memberOnline':
    case 'memberOffline': {
      if (!state.team) return null;
      const online = event.type === 'memberOnline';
      const members = state.team.members.map((m) => (m.deviceId === event.deviceId ? { ...m, online } : m));
      return { team: { ...state.team, members } };
    }
    default:
      return null;
  }
};
