import { useEffect, useId, useState } from 'react';
import type { AgentStatus } from '../../../shared/control-api/index.js';
import type { SharingMode } from '../../../shared/model/index.js';
import { errorText } from '../format/error-text.js';
import { formatDuration } from '../format/human-units.js';
import { useTroupe } from '../store/index.js';
import { EngineActionRows } from './engine-action-rows.js';

const MODES: { mode: SharingMode; label: string; hint: string }[] = [
  { mode: 'on', label: 'Share this machine', hint: 'The team may use its free cores.' },
  { mode: 'off', label: 'Pause sharing', hint: 'No new work for the team; running tasks are handed back.' },
  { mode: 'idle', label: 'Share only when idle', hint: 'Only while nobody uses keyboard or mouse.' },
];

/** What the owner lets the team use of this machine: on, paused, only when idle, and a core cap. */
export function ThisMachinePanel() {
  const status = useTroupe((s) => s.status);
  const setSharing = useTroupe((s) => s.setSharing);
  const online = useTroupe((s) => s.eventStream === 'open');
  const [error, setError] = useState<string | null>(null);
  const [capText, setCapText] = useState('');
  const capId = useId();
  const coreCap = status?.sharing.coreCap ?? null;
  useEffect(() => setCapText(coreCap === null ? '' : String(coreCap)), [coreCap]);

  if (!status) return null;
  const act = async (body: Parameters<typeof setSharing>[0]) => {
    setError(null);
    try {
      await setSharing(body);
    } catch (err) {
      setError(errorText(err));
    }
  };
  const applyCap = () => {
    if (capText.trim() === '') return void act({ coreCap: null });
    const n = Number(capText);
    if (!Number.isInteger(n) || n < 1 || n > status.capacity.cores) {
      setError(`Cores for the team: a whole number from 1 to ${status.capacity.cores}, or empty for all.`);
      return;
    }
    void act({ coreCap: n });
  };
  const current = MODES.find((m) => m.mode === status.sharing.mode);

  return (
    <section className="panel" role="region" aria-labelledby="this-machine-heading">
      <h2 id="this-machine-heading">This machine</h2>
      <p className="small">
        <strong>{status.name}</strong> · {status.capacity.cores} cores · {Math.floor(status.capacity.freeCores)} free for the team
      </p>
      <div className="segmented" role="group" aria-label="Sharing">
        {MODES.map((m) => (
          <button
            key={m.mode}
            type="button"
            className="button"
            aria-pressed={status.sharing.mode === m.mode}
            disabled={!online}
            onClick={() => act({ mode: m.mode })}
          >
            {m.label}
          </button>
        ))}
      </div>
      {current && <p className="muted small">{current.hint}</p>}
      <div className="row">
        <label htmlFor={capId}>Cores for the team</label>
        <input
          id={capId}
          type="number"
          min={1}
          max={status.capacity.cores}
          placeholder="all"
          value={capText}
          onChange={(e) => setCapText(e.target.value)}
          onKeyDown={(e) => e.key === 'Enter' && applyCap()}
        />
        <button type="button" className="button" disabled={!online} onClick={applyCap}>
          Apply core cap
        </button>
      </div>
      {status.userIdleSeconds !== null && (
        <p className="muted small" data-testid="user-idle">
          {status.userIdleSeconds < 5 ? 'In use right now.' : `Nobody has used this machine for ${formatDuration(status.userIdleSeconds * 1000)}.`}
        </p>
      )}
      <EngineActionRows />
      <SandboxNote sandbox={status.sandbox} />
      <p className="muted small">
        Device {status.deviceIdDisplay} · Troupe {status.version}
      </p>
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}

/** What the team's work on this machine is kept from: said plainly, gaps first where there are any. */
function SandboxNote({ sandbox }: { sandbox: AgentStatus['sandbox'] }) {
  const open = sandbox.notContained.length > 0;
  return (
    <details className="small" data-testid="sandbox-note" open={open && sandbox.contained.length < 3}>
      <summary className={open ? 'warning-text' : 'muted'}>
        {open ? `Team work runs with limited protection here: ${sandbox.mechanism}` : `Team work runs in a sandbox: ${sandbox.mechanism}`}
      </summary>
      <p className="muted">Contained: {sandbox.contained.join('; ')}.</p>
      {open && <p className="muted">Not contained: {sandbox.notContained.join('; ')}.</p>}
    </details>
  );
}
