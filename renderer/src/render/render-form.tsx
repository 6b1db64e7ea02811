import { useId, useState, type FormEvent } from 'react';
import { sceneRenderRequestSchema } from '../../../shared/control-api/scene-render-request.js';
import type { SceneInfo } from '../../../shared/control-api/responses.js';
import { MAX_PRIORITY, MIN_PRIORITY, type OutputFormat } from '../../../shared/model/jobs.js';
import { errorText } from '../format/error-text.js';
import { formatBytes } from '../format/human-units.js';
import { useTroupe } from '../store/index.js';
import { submitBodyOf, type RenderOptions } from './job-defaults.js';

/** The form's label for each submit field, so a refusal names what the person sees. */
const FIELD_LABELS: Record<string, string> = {
  name: 'Job name',
  frameStart: 'First frame',
  frameEnd: 'Last frame',
  width: 'Width',
  height: 'Height',
  samplesPerPixel: 'Samples per pixel',
  format: 'Format',
  priority: 'Priority',
  outputDir: 'Output folder',
  fps: 'Frame rate',
};

interface RenderFormProps {
  info: SceneInfo;
  initial: RenderOptions;
  onSubmitted: () => void;
  onDiscard: () => void;
}

/** One click renders with the scene's defaults; the options are there for the rest. */
export function RenderForm({ info, initial, onSubmitted, onDiscard }: RenderFormProps) {
  const submitJob = useTroupe((s) => s.submitJob);
  const online = useTroupe((s) => s.eventStream === 'open');
  const [o, setO] = useState<RenderOptions>(initial);
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const id = useId();
  const animated = o.frameEnd > o.frameStart;

  const set = <K extends keyof RenderOptions>(key: K, value: RenderOptions[K]) => setO((prev) => ({ ...prev, [key]: value }));
  const num = (key: 'frameStart' | 'frameEnd' | 'width' | 'height' | 'samplesPerPixel' | 'priority') => ({
    id: `${id}-${key}`,
    type: 'number' as const,
    value: Number.isFinite(o[key]) ? String(o[key]) : '',
    onChange: (e: { target: { value: string } }) => set(key, e.target.value === '' ? NaN : Number(e.target.value)),
  });

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    const body = submitBodyOf(info.scenePath, o);
    // The contract's own schema says what is wrong before anything is sent.
    const checked = sceneRenderRequestSchema.safeParse(body);
    if (!checked.success) {
      const issue = checked.error.issues[0];
      const field = FIELD_LABELS[String(issue?.path[0])] ?? 'Options';
      setError(`${field}: ${issue?.message ?? 'not valid'}`);
      return;
    }
    setPending(true);
    try {
      await submitJob(body);
      onSubmitted();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setPending(false);
    }
  };

  return (
    <form className="render-form" aria-label={`Render ${info.name}`} onSubmit={submit} noValidate>
      <div className="scene-summary">
        <h3>{info.name}</h3>
        <p className="muted small">
          {formatBytes(info.sizeBytes)} · {info.triangles.toLocaleString()} triangles ·{' '}
          {info.frames ? `animation, frames ${info.frames.start}–${info.frames.end} at ${info.frames.fps} fps` : 'still image'}
          · {info.hasCamera ? 'scene camera' : 'no camera: the whole scene is framed'} · {info.lights} {info.lights === 1 ? 'light' : 'lights'}
        </p>
        {info.warnings.length > 0 && (
          <ul className="warnings" aria-label="Scene warnings">
            {info.warnings.map((w) => (
              <li key={w}>{w}</li>
            ))}
          </ul>
        )}
        <p className="small">
          {animated ? `Frames ${o.frameStart}–${o.frameEnd}` : `Still, frame ${o.frameStart}`} · {o.width}×{o.height} · {o.samplesPerPixel} samples → {o.outputDir}
        </p>
      </div>
      <details className="options">
        <summary>Options</summary>
        <div className="options-grid">
          <label htmlFor={`${id}-name`}>Job name</label>
          <input id={`${id}-name`} value={o.name} maxLength={64} onChange={(e) => set('name', e.target.value)} />
          <label htmlFor={`${id}-frameStart`}>First frame</label>
          <input {...num('frameStart')} />
          <label htmlFor={`${id}-frameEnd`}>Last frame</label>
          <input {...num('frameEnd')} />
          <label htmlFor={`${id}-width`}>Width (px)</label>
          <input {...num('width')} min={1} />
          <label htmlFor={`${id}-height`}>Height (px)</label>
          <input {...num('height')} min={1} />
          <label htmlFor={`${id}-samplesPerPixel`}>Samples per pixel</label>
          <input {...num('samplesPerPixel')} min={1} />
          <label htmlFor={`${id}-format`}>Format</label>
          <select id={`${id}-format`} value={o.format} onChange={(e) => set('format', e.target.value as OutputFormat)}>
            <option value="png">PNG</option>
            <option value="exr">OpenEXR</option>
          </select>
          <label htmlFor={`${id}-priority`}>Priority</label>
          <input {...num('priority')} min={MIN_PRIORITY} max={MAX_PRIORITY} />
          <label htmlFor={`${id}-outputDir`}>Output folder</label>
          <input id={`${id}-outputDir`} value={o.outputDir} onChange={(e) => set('outputDir', e.target.value)} spellCheck={false} />
        </div>
      </details>
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
      <div className="row">
        <button type="submit" className="button primary big" disabled={pending || !online} title={online ? undefined : 'The agent is not reachable'}>
          {pending ? 'Sending…' : 'Render on team'}
        </button>
        <button type="button" className="button subtle" onClick={onDiscard}>
          Choose another scene
        </button>
      </div>
    </form>
  );
}
