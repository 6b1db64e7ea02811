// Owns reading a .blend on the coordinator before a job exists: a short-lived Blender (the same
// session script, scripts in the file never run) answers what the scene asks for and which files
// it uses, then quits. The designer's machine has Blender: the add-on runs in it.

import { TroupeError } from '../../../../shared/errors.js';
import type { BlenderFinder, BlenderInstall } from './blender-finder.js';
import type { DependencyReport, JobFrames, SceneDefaults, SessionFacts } from './blender-session-protocol.js';
import { BlenderSession } from './blender-session.js';

export interface BlendFileReport {
  install: BlenderInstall;
  facts: SessionFacts;
  scene: SceneDefaults;
  dependencies: DependencyReport;
}

/**
 * Only catches a Blender that hangs. Reading a scene takes seconds on a quiet machine; beside a
 * render (stress-ng in the tests) its Blender start took over 60 s, and "did not load" was a
 * false answer to a user who was waiting for a true one.
 */
const READ_TIMEOUT_MS = 600_000;

/** `frames`: the frames the job will show (a sequence texture's other frames are not needed); the scene's when absent. */
export async function readBlendFile(finder: BlenderFinder, blendFile: string, frames: JobFrames = {}): Promise<BlendFileReport> {
  const install = await finder.find();
  if (!install)
    throw new TroupeError('not-found', 'Troupe needs Blender on this computer to read the .blend before the team renders it; install Blender (Troupe finds it by itself)');
  // The owner is waiting on this read (their own submit): it keeps the agent's priority, as the
  // scene check does; teammates' renders are the ones that run below normal.
  const started = await BlenderSession.start({ blenderPath: install.path, blendFile, startTimeoutMs: READ_TIMEOUT_MS, threads: 1, lowPriority: false }).catch((err: Error) => {
    throw new TroupeError('bad-scene', `Blender could not read ${blendFile}: ${err.message}`);
  });
  const { session, facts } = started;
  try {
    const scene = (await session.run('scene_info', {}, { timeoutMs: READ_TIMEOUT_MS })).result;
    const dependencies = (await session.run('dependencies', frames, { timeoutMs: READ_TIMEOUT_MS })).result;
    return { install, facts, scene, dependencies };
  } catch (err) {
    throw new TroupeError('bad-scene', `Blender could not read ${blendFile}: ${(err as Error).message}`);
  } finally {
    await session.quit();
  }
}
