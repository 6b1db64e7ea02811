// Owns reading Blender's version from what `blender --version` prints, e.g.
//   Blender 3.4.1
//   	build date: ...
// Official builds print the same first line; some add a suffix ("Blender 4.1.0 Alpha").

export interface BlenderVersion {
  major: number;
  minor: number;
  patch: number;
  /** The first line as printed, for the user. */
  text: string;
}

export function parseBlenderVersion(output: string): BlenderVersion | null {
  const match = /^Blender (\d+)\.(\d+)(?:\.(\d+))?[^\n]*/m.exec(output);
  if (!match) return null;
  return { major: Number(match[1]), minor: Number(match[2]), patch: Number(match[3] ?? 0), text: match[0].trim() };
}

/** "3.4": what a job asks for; patch releases of one major.minor render alike. */
export function majorMinor(version: BlenderVersion): string {
  return `${version.major}.${version.minor}`;
}
