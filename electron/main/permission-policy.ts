// Owns which web permissions a page may have: one, writing text to the clipboard (the UI copies
// an output folder's path), and only for our own pages. Camera, microphone, notifications from
// the page, geolocation, USB, HID, serial, MIDI, screen capture: the UI needs none of them.

import { isAppUrl } from './app-origin.js';

/** Writing sanitised text to the clipboard: no reading, no raw formats. */
const ALLOWED_PERMISSIONS: ReadonlySet<string> = new Set(['clipboard-sanitized-write']);

export function permissionAllowed(permission: string, requestingUrl: string | undefined | null): boolean {
  return ALLOWED_PERMISSIONS.has(permission) && isAppUrl(requestingUrl);
}
