// Owns the names of a Blender job's files in its output folder: frames named as Blender itself
// names them from the scene's output path (`shot_####` -> `shot_0007.png`), so frames rendered
// on a team land where, and as, a render on the designer's own machine would have put them.

/** Characters no file name may hold on some OS: replaced, so a pattern cannot reach outside the folder. */
// eslint-disable-next-line no-control-regex -- control characters are exactly what a file name may not hold
const UNSAFE = /[/\\:*?"<>|\u0000-\u001f]/g;

/**
 * Blender's frame path: the last run of `#` becomes the frame, zero-padded to the run's length
 * (a sign first for negative frames); without `#`, four digits are appended. Then the extension.
 */
export function blenderFrameFileName(pattern: string, frame: number, extension: string): string {
  const digits = (width: number): string => (frame < 0 ? '-' : '') + String(Math.abs(frame)).padStart(width, '0');
  const runs = [...pattern.matchAll(/#+/g)];
  const last = runs[runs.length - 1];
  const stem = last ? pattern.slice(0, last.index) + digits(last[0].length) + pattern.slice(last.index + last[0].length) : pattern + digits(4);
  const safe = stem.replace(UNSAFE, '_').replace(/^\.+/, '_');
  return extension && !safe.toLowerCase().endsWith(extension.toLowerCase()) ? safe + extension : safe;
}

/** The file-name part of an output path (`/renders/shot_####` -> `shot_####`); `####` for a bare folder. */
export function outputPatternName(outputPath: string): string {
  const name = outputPath.split(/[/\\]/).pop() ?? '';
  return name || '####';
}

/** Blender's disk caches live in `blendcache_<file stem>` beside the .blend. */
export function blendCacheFolder(blendName: string): string {
  return `blendcache_${blendName.replace(/\.blend$/i, '')}`;
}
