// Owns reading a command line's flags as a job type asks for them (CommandLine: values as typed,
// `true` for a flag given alone, a list for a repeated one): numbers, frame ranges, sizes, and
// paths made absolute from the folder the command ran in. Every error names the flag and what it takes.

import { resolve } from 'node:path';
import { TroupeError } from '../../../shared/errors.js';
import type { CommandLine } from './job-type.js';

type Flags = CommandLine['flags'];

const bad = (text: string): TroupeError => new TroupeError('bad-request', text);

/** The flag's value (the last one given), or undefined; a flag given without a value is an error. */
export function flagText(flags: Flags, name: string): string | undefined {
  const v = flags[name];
  if (v === undefined) return undefined;
  if (v === true) throw bad(`--${name} needs a value`);
  return Array.isArray(v) ? v[v.length - 1] : v;
}

/** Every value of a flag that may be repeated (`--allow-file a --allow-file b`). */
export function flagList(flags: Flags, name: string): string[] {
  const v = flags[name];
  if (v === undefined) return [];
  if (v === true) throw bad(`--${name} needs a value`);
  return Array.isArray(v) ? v : [v];
}

export function flagSet(flags: Flags, name: string): boolean {
  return flags[name] !== undefined;
}

export function flagWhole(flags: Flags, name: string): number | undefined {
  const v = flagText(flags, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw bad(`--${name} takes a whole number, not "${v}"`);
  return n;
}

/** A number that may be fractional (seconds, a step size); the engine checks its range. */
export function flagNumber(flags: Flags, name: string): number | undefined {
  const v = flagText(flags, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n)) throw bad(`--${name} takes a number, not "${v}"`);
  return n;
}

/** A path flag (or `fallback` when it is absent) made absolute from the folder the command ran in. */
export function flagPath(command: CommandLine, name: string): string | undefined;
export function flagPath(command: CommandLine, name: string, fallback: string): string;
export function flagPath(command: CommandLine, name: string, fallback?: string): string | undefined {
  const v = flagText(command.flags, name) ?? fallback;
  return v === undefined ? undefined : resolve(command.cwd, v);
}

/** `--frames 12` or `--frames 1-48`. */
export function flagFrames(flags: Flags): { frameStart: number; frameEnd: number } | undefined {
  const text = flagText(flags, 'frames');
  if (text === undefined) return undefined;
  const m = /^(-?\d+)(?:-(-?\d+))?$/.exec(text.trim());
  if (!m) throw bad(`--frames takes a frame or a range like 1-48, not "${text}"`);
  return { frameStart: Number(m[1]), frameEnd: Number(m[2] ?? m[1]) };
}

/** `--size 1280x720`. */
export function flagSize(flags: Flags): { width: number; height: number } | undefined {
  const text = flagText(flags, 'size');
  if (text === undefined) return undefined;
  const m = /^(\d+)x(\d+)$/i.exec(text.trim());
  if (!m) throw bad(`--size takes WIDTHxHEIGHT, like 1280x720, not "${text}"`);
  return { width: Number(m[1]), height: Number(m[2]) };
}
