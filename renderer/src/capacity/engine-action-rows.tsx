import { useEffect, useState } from 'react';
import type { EngineActionInfo } from '../../../shared/control-api/responses.js';
import { errorText } from '../format/error-text.js';
import { useTroupe } from '../store/index.js';

type Answer = { ok: true; text: string } | { ok: false; text: string } | null;

/** One button per thing this machine's engines offer to do here ("Install the Blender add-on"), each saying what it did. */
export function EngineActionRows() {
  const actions = useTroupe((s) => s.engineActions);
  const load = useTroupe((s) => s.loadEngineActions);
  const online = useTroupe((s) => s.eventStream === 'open');
  useEffect(() => {
    if (online && actions === null) void load().catch(() => undefined); // asked again when the stream reopens
  }, [online, actions, load]);
  return (
    <>
      {(actions ?? []).map((a) => (
        <EngineActionRow key={`${a.engine}/${a.action}`} action={a} online={online} />
      ))}
    </>
  );
}

function EngineActionRow({ action, online }: { action: EngineActionInfo; online: boolean }) {
  const run = useTroupe((s) => s.runEngineAction);
  const [busy, setBusy] = useState(false);
  const [answer, setAnswer] = useState<Answer>(null);
  const press = async () => {
    setBusy(true);
    setAnswer(null);
    try {
      setAnswer({ ok: true, text: (await run(action)).message });
    } catch (err) {
      setAnswer({ ok: false, text: errorText(err) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="row">
      <button type="button" className="button" disabled={!online || busy} onClick={() => void press()} data-testid={`engine-action-${action.engine}-${action.action}`}>
        {busy ? `${action.title}…` : action.title}
      </button>
      {answer && (
        <p className={answer.ok ? 'muted small' : 'error-text'} role={answer.ok ? 'status' : 'alert'}>
          {answer.text}
        </p>
      )}
    </div>
  );
}
