// Owns reading `troupe simulate scene.glb ...` into the physics engine's request: which flags a
// simulation takes, what each means, and the words for one it cannot read.

import { TroupeError } from '../../../../../shared/errors.js';
import { flagNumber, flagPath, flagSet, flagSize, flagText, flagWhole } from '../../../jobs/command-flags.js';
import type { CommandLine, CommandVerb } from '../../../jobs/job-type.js';
import { PHYSICS_ENGINE, type PhysicsRequestInput } from '../physics-wire.js';

export const PHYSICS_COMMANDS: readonly CommandVerb[] = [
  {
    verb: 'simulate',
    extensions: ['.glb', '.gltf'],
    usage:
      "troupe simulate <scene.glb> [--steps N | --seconds S] [--dt S] [--substeps N] [--gravity x,y,z] [--fps N] [--wedge 'friction=0.2:0.8:4,…' | --random N --seed S] [--chunk-steps N] [--then-render [--size WxH] [--samples N] [--exr]] [--out DIR]",
  },
];

export function physicsRequestFromCommand(command: CommandLine): PhysicsRequestInput {
  const { flags } = command;
  const settings: NonNullable<PhysicsRequestInput['settings']> = {};
  for (const [flag, key] of [['dt', 'dtSeconds'], ['substeps', 'substeps'], ['seconds', 'durationSeconds'], ['steps', 'steps'], ['fps', 'fps']] as const) {
    const n = flagNumber(flags, flag);
    if (n !== undefined) settings[key] = n;
  }
  if (flagSet(flags, 'gravity')) {
    const g = flagText(flags, 'gravity')!.split(',').map(Number);
    if (g.length !== 3 || g.some((x) => !Number.isFinite(x))) throw new TroupeError('bad-request', '--gravity takes x,y,z in m/s² (glTF: +Y is up), e.g. 0,-9.81,0');
    settings.gravity = [g[0]!, g[1]!, g[2]!];
  }
  const body: PhysicsRequestInput = { engine: PHYSICS_ENGINE, scenePath: command.file, outputDir: flagPath(command, 'out', 'troupe-out'), settings };
  if (flagSet(flags, 'name')) body.name = flagText(flags, 'name');
  if (flagSet(flags, 'wedge')) body.wedge = flagText(flags, 'wedge');
  const random = flagWhole(flags, 'random');
  if (random !== undefined) body.random = { count: random, seed: flagWhole(flags, 'seed') ?? 1 };
  const chunk = flagWhole(flags, 'chunk-steps');
  if (chunk !== undefined) body.chunkSteps = chunk;
  if (flagSet(flags, 'then-render')) {
    const render: NonNullable<PhysicsRequestInput['thenRender']> = { ...flagSize(flags) };
    const samples = flagWhole(flags, 'samples');
    if (samples !== undefined) render.samplesPerPixel = samples;
    if (flagSet(flags, 'exr')) render.format = 'exr';
    body.thenRender = render;
  }
  return body;
}
