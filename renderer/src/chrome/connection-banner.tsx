import { useTroupe } from '../store/index.js';

/** Says when the agent cannot be reached, so a stale screen never passes for a live one. */
export function ConnectionBanner() {
  const stream = useTroupe((s) => s.eventStream);
  const loadError = useTroupe((s) => s.loadError);
  const loaded = useTroupe((s) => s.loaded);
  if (stream === 'closed') {
    return (
      <div className="banner error" role="alert" data-testid="agent-unreachable">
        Agent not reachable. Troupe on this computer is not answering; retrying by itself. What you see may be out of date, and actions wait until it is back.
      </div>
    );
  }
  if (loadError) {
    return (
      <div className="banner error" role="alert">
        Could not read the agent's state: {loadError}
      </div>
    );
  }
  if (!loaded) {
    return (
      <div className="banner" role="status">
        Connecting to the agent…
      </div>
    );
  }
  return null;
}
