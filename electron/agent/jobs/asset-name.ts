// Owns what an asset may be called inside a job: a plain relative path that stays inside the
// job's folder on every OS. A teammate's job must never write outside it or reach a device.

import { TroupeError } from '../../../shared/errors.js';

// Names Windows treats as devices in any folder, with any extension (CON.png is still CON).
const WINDOWS_DEVICES = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³]|conin\$|conout\$)(\..*)?$/i;

export class UnsafeAssetNameError extends TroupeError {
  constructor(name: string, why: string) {
    super('bad-request', `The asset name "${name.slice(0, 200)}" is refused: ${why}. Asset names are relative paths inside the job.`);
  }
}

/** Throws unless `name` is a safe relative path; returns it with forward slashes. */
export function checkAssetName(name: string): string {
  if (name.length === 0 || name.length > 400) throw new UnsafeAssetNameError(name, 'it is empty or too long');
  // eslint-disable-next-line no-control-regex -- refusing control characters is the point
  if (/[\0-\x1f]/.test(name)) throw new UnsafeAssetNameError(name, 'it contains control characters');
  const unified = name.replace(/\\/g, '/');
  if (unified.startsWith('/') || /^[a-zA-Z]:/.test(unified) || unified.startsWith('//')) throw new UnsafeAssetNameError(name, 'it is an absolute path');
  const parts = unified.split('/');
  for (const part of parts) {
    if (part === '' || part === '.') throw new UnsafeAssetNameError(name, 'it has an empty or "." path segment');
    if (part === '..') throw new UnsafeAssetNameError(name, 'it climbs out of the job folder with ".."');
    if (WINDOWS_DEVICES.test(part)) throw new UnsafeAssetNameError(name, `"${part}" is a device name on Windows`);
    if (/[<>:"|?*]/.test(part)) throw new UnsafeAssetNameError(name, 'it contains characters Windows cannot store in file names');
    if (/[. ]$/.test(part)) throw new UnsafeAssetNameError(name, 'a segment ends in a dot or space, which Windows drops');
  }
  return unified;
}
