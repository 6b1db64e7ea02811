// Owns reading `troupe render scene.blend ...` and `troupe bake scene.blend ...` into Blender's
// request: which flags Blender jobs take, what each means, and the words for one it cannot read.

import { TroupeError } from '../../../../shared/errors.js';
import { flagFrames, flagList, flagPath, flagSet, flagText } from '../../jobs/command-flags.js';
import type { CommandLine, CommandVerb } from '../../jobs/job-type.js';
import { BLENDER_ENGINE, type BlenderRequestInput } from './blender-wire.js';

export const BLENDER_COMMANDS: readonly CommandVerb[] = [
  {
    verb: 'render',
    extensions: ['.blend'],
    usage:
      'troupe render <scene.blend> [--frames a-b] [--out DIR] [--any-blender] [--project DIR] [--allow-file FILE]... [--allow-missing] [--no-denoise] [--device cpu|gpu|any] [--whole|--regions] [--list-files]',
  },
  { verb: 'bake', extensions: ['.blend'], usage: 'troupe bake <scene.blend> [--out FILE.blend]' },
];

export function blenderRequestFromCommand(command: CommandLine): BlenderRequestInput {
  const { flags } = command;
  const job = command.verb === 'bake' ? 'bake' : 'render';
  const body: BlenderRequestInput = { engine: BLENDER_ENGINE, job, scenePath: command.file, anyBlenderVersion: flagSet(flags, 'any-blender') };
  if (flagSet(flags, 'name')) body.name = flagText(flags, 'name');
  if (flagSet(flags, 'project')) body.projectRoot = flagPath(command, 'project');
  if (flagSet(flags, 'allow-file')) body.allowFiles = flagList(flags, 'allow-file').map((f) => flagPath({ ...command, flags: { f } }, 'f')!);
  if (flagSet(flags, 'allow-missing')) body.allowMissing = true;
  if (flagSet(flags, 'no-denoise')) body.denoising = 'off';
  const device = flagText(flags, 'device');
  if (device !== undefined) {
    if (device !== 'cpu' && device !== 'gpu' && device !== 'any') throw new TroupeError('bad-request', `--device takes cpu, gpu or any, not "${device}"`);
    body.device = device;
  }
  if (flagSet(flags, 'whole') && flagSet(flags, 'regions')) throw new TroupeError('bad-request', 'Choose --whole or --regions for a still, not both');
  if (flagSet(flags, 'whole')) body.stillMode = 'whole';
  if (flagSet(flags, 'regions')) body.stillMode = 'regions';
  if (job === 'bake') {
    if (flagSet(flags, 'out')) body.outputPath = flagPath(command, 'out');
    return body;
  }
  if (flagSet(flags, 'out')) body.outputDir = flagPath(command, 'out');
  const frames = flagFrames(flags);
  if (frames) Object.assign(body, frames, { still: frames.frameStart === frames.frameEnd });
  return body;
}
