import { useState } from 'react';
import { errorText } from '../format/error-text.js';
import { useTroupe } from '../store/index.js';

type Answer = { ok: true; text: string } | { ok: false; text: string } | null;

/** "Install the Blender add-on": puts "Render on team" into this machine's Blender, and says where. */
export function BlenderAddonRow() {
  const install = useTroupe((s) => s.installBlenderAddon);
  const online = useTroupe((s) => s.eventStream === 'open');
  const [busy, setBusy] = useState(false);
  const [answer, setAnswer] = useState<Answer>(null);
  const press = async () => {
    setBusy(true);
    setAnswer(null);
    try {
      const done = await install();
      setAnswer({ ok: true, text: `Installed in Blender ${done.blenderVersion}: restart Blender, then find Troupe under Render properties.` });
    } catch (err) {
      setAnswer({ ok: false, text: errorText(err) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="row">
      <button type="button" className="button" disabled={!online || busy} onClick={() => void press()} data-testid="install-blender-addon">
        {busy ? 'Installing…' : 'Install the Blender add-on'}
      </button>
      {answer && (
        <p className={answer.ok ? 'muted small' : 'error-text'} role={answer.ok ? 'status' : 'alert'}>
          {answer.text}
        </p>
      )}
    </div>
  );
}
