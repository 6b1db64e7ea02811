// @vitest-environment jsdom
import { act, cleanup, fireEvent, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { SceneInfo } from '../../../shared/control-api/responses.js';
import { TroupeError } from '../../../shared/errors.js';
import { SceneIntake } from '../../../renderer/src/render/scene-intake.js';
import { fakeAgent, renderWithAgent, settle, stillJob } from './fake-agent.js';

afterEach(cleanup);

function sceneInfo(over: Partial<SceneInfo> = {}): SceneInfo {
  return {
    scenePath: '/tmp/uploads/x/robot.gltf',
    name: 'robot.gltf',
    sizeBytes: 2048,
    frames: { start: 1, end: 48, fps: 24 },
    hasCamera: true,
    triangles: 1200,
    lights: 2,
    warnings: [],
    ...over,
  };
}

function drop(files: File[]) {
  fireEvent.drop(window, { dataTransfer: { files, types: ['Files'] } });
}

describe('scene intake', () => {
  it('shows the agent’s words when a dropped file is not a scene', async () => {
    const agent = fakeAgent({ inspectScene: new TroupeError('bad-scene', 'notes.txt is not a glTF scene (.glb or .gltf)') });
    await renderWithAgent(<SceneIntake />, agent);
    drop([new File(['hello'], 'notes.txt', { type: 'text/plain' })]);
    await act(settle);
    expect(screen.getByTestId('scene-error').textContent).toBe('notes.txt is not a glTF scene (.glb or .gltf)');
    expect(agent.uploads.map((u) => u.fileName)).toEqual(['notes.txt']);
  });

  it('uploads every file of a .gltf drop into one folder, then renders with the scene’s defaults', async () => {
    const agent = fakeAgent({ inspectScene: sceneInfo(), submitJob: stillJob() });
    await renderWithAgent(<SceneIntake />, agent);
    drop([new File(['{}'], 'robot.gltf'), new File(['bin'], 'robot.bin'), new File(['png'], 'albedo.png')]);
    await act(settle);
    expect(new Set(agent.uploads.map((u) => u.uploadId)).size).toBe(1);
    expect(agent.uploads[0]!.uploadId).toMatch(/^[0-9a-f]{16}$/);
    expect(agent.uploads.map((u) => u.fileName).sort()).toEqual(['albedo.png', 'robot.bin', 'robot.gltf']);
    const inspect = agent.calls.find((c) => c.name === 'inspectScene');
    expect(inspect?.args).toEqual([{ scenePath: `/tmp/uploads/${agent.uploads[0]!.uploadId}/robot.gltf` }]);

    fireEvent.click(screen.getByRole('button', { name: 'Render on team' }));
    await act(settle);
    const submit = agent.calls.find((c) => c.name === 'submitJob');
    expect(submit?.args[0]).toMatchObject({
      scenePath: '/tmp/uploads/x/robot.gltf',
      name: 'robot',
      frameStart: 1,
      frameEnd: 48,
      width: 1280,
      height: 720,
      samplesPerPixel: 64,
      outputDir: '/home/ana/Renders/robot',
    });
  });

  it('uses the file’s own path in the desktop app (nothing uploaded)', async () => {
    const agent = fakeAgent({ inspectScene: sceneInfo({ frames: null, scenePath: '/home/ana/shot.glb', name: 'shot.glb' }) });
    await renderWithAgent(<SceneIntake />, agent, { pathForFile: (f) => `/home/ana/${f.name}`, kind: 'desktop' });
    drop([new File(['glb'], 'shot.glb')]);
    await act(settle);
    expect(agent.uploads).toEqual([]);
    expect(agent.calls.find((c) => c.name === 'inspectScene')?.args).toEqual([{ scenePath: '/home/ana/shot.glb' }]);
    expect(screen.getByText(/Still, frame 1/)).toBeTruthy();
  });

  it('refuses an impossible option before sending', async () => {
    const agent = fakeAgent({ inspectScene: sceneInfo() });
    await renderWithAgent(<SceneIntake />, agent);
    drop([new File(['{}'], 'robot.gltf')]);
    await act(settle);
    fireEvent.change(screen.getByLabelText('Samples per pixel'), { target: { value: '0' } });
    fireEvent.click(screen.getByRole('button', { name: 'Render on team' }));
    await act(settle);
    expect(screen.getByRole('alert').textContent).toMatch(/^Samples per pixel: /);
    expect(agent.calls.some((c) => c.name === 'submitJob')).toBe(false);
  });
});
