import { useCallback, useEffect, useRef, useState } from 'react';
import type { SceneInfo } from '../../../shared/control-api/responses.js';
import { errorText } from '../format/error-text.js';
import { useConnection, useTroupe } from '../store/index.js';
import { defaultRenderOptions, type RenderOptions } from './job-defaults.js';
import { RenderForm } from './render-form.js';
import { inspectDroppedScene } from './scene-files.js';

type Intake =
  | { phase: 'idle' }
  | { phase: 'reading'; fileName: string }
  | { phase: 'ready'; info: SceneInfo; options: RenderOptions }
  | { phase: 'error'; message: string };

function hasFiles(e: DragEvent): boolean {
  return [...(e.dataTransfer?.types ?? [])].includes('Files');
}

/** A scene dropped anywhere on the window (or picked) becomes a render form with the scene's defaults. */
export function SceneIntake() {
  const connection = useConnection();
  const defaultOutputDir = useTroupe((s) => s.status?.defaultOutputDir ?? '');
  const [intake, setIntake] = useState<Intake>({ phase: 'idle' });
  const [dragging, setDragging] = useState(false);
  const depth = useRef(0);
  const inputRef = useRef<HTMLInputElement>(null);

  const take = useCallback(
    async (files: File[]) => {
      if (files.length === 0) return;
      setIntake({ phase: 'reading', fileName: files[0]!.name });
      try {
        const info = await inspectDroppedScene(files, connection);
        setIntake({ phase: 'ready', info, options: defaultRenderOptions(info, defaultOutputDir) });
      } catch (err) {
        setIntake({ phase: 'error', message: errorText(err) });
      }
    },
    [connection, defaultOutputDir],
  );

  useEffect(() => {
    // Without preventDefault the browser opens a dropped file in place of the app.
    const over = (e: DragEvent) => {
      if (hasFiles(e) || e.dataTransfer?.files.length) e.preventDefault();
    };
    const enter = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      depth.current++;
      setDragging(true);
    };
    const leave = () => {
      depth.current = Math.max(0, depth.current - 1);
      if (depth.current === 0) setDragging(false);
    };
    const drop = (e: DragEvent) => {
      e.preventDefault();
      depth.current = 0;
      setDragging(false);
      void take([...(e.dataTransfer?.files ?? [])]);
    };
    window.addEventListener('dragover', over);
    window.addEventListener('dragenter', enter);
    window.addEventListener('dragleave', leave);
    window.addEventListener('drop', drop);
    return () => {
      window.removeEventListener('dragover', over);
      window.removeEventListener('dragenter', enter);
      window.removeEventListener('dragleave', leave);
      window.removeEventListener('drop', drop);
    };
  }, [take]);

  return (
    <section className="panel scene-intake" role="region" aria-labelledby="render-heading" data-testid="scene-intake">
      <h2 id="render-heading">Render</h2>
      {intake.phase !== 'ready' && (
        <div className="drop-target">
          <p>Drop a .glb or .gltf scene anywhere on this window (with its .bin and textures), or</p>
          <input
            ref={inputRef}
            id="scene-file-input"
            className="visually-hidden"
            type="file"
            multiple
            accept=".glb,.gltf,.bin,.png,.jpg,.jpeg,.ktx2,.webp"
            onChange={(e) => {
              void take([...(e.target.files ?? [])]);
              e.target.value = '';
            }}
          />
          <label htmlFor="scene-file-input" className="button">
            Choose scene file
          </label>
        </div>
      )}
      {intake.phase === 'reading' && (
        <p role="status" className="muted">
          Reading {intake.fileName}…
        </p>
      )}
      {intake.phase === 'error' && (
        <p role="alert" className="error-text" data-testid="scene-error">
          {intake.message}
        </p>
      )}
      {intake.phase === 'ready' && (
        <RenderForm
          key={intake.info.scenePath}
          info={intake.info}
          initial={intake.options}
          onSubmitted={() => setIntake({ phase: 'idle' })}
          onDiscard={() => setIntake({ phase: 'idle' })}
        />
      )}
      {dragging && (
        <div className="drop-overlay" aria-hidden="true">
          Drop the scene to render it on the team
        </div>
      )}
    </section>
  );
}
