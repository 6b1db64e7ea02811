import { useMemo } from 'react';
import { describeTeamCapacity, teamCapacity } from '../../../shared/model/team-capacity.js';
import { useTroupe } from '../store/index.js';

/** The app's name, the team's capacity in one line (the tray says the same), and the theme switch. */
export function AppHeader() {
  const team = useTroupe((s) => s.team);
  const self = useTroupe((s) => s.status?.capacity ?? null);
  const theme = useTroupe((s) => s.theme);
  const setTheme = useTroupe((s) => s.setTheme);
  const summary = useMemo(() => describeTeamCapacity(teamCapacity(team, self)), [team, self]);
  const next = theme === 'dark' ? 'light' : 'dark';
  return (
    <header className="app-header">
      <h1 className="brand">Troupe</h1>
      <p className="capacity-summary" data-testid="team-capacity" aria-label="Team capacity">
        {team ? `${team.name}: ${summary}` : `No team yet: ${summary}`}
      </p>
      <button type="button" className="button subtle" onClick={() => setTheme(next)} aria-label={`Switch to ${next} theme`}>
        {theme === 'dark' ? '☀ Light' : '☾ Dark'}
      </button>
    </header>
  );
}
