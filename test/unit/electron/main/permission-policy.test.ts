import { describe, expect, it } from 'vitest';
import { permissionAllowed } from '../../../../electron/main/permission-policy.js';

describe('web permissions', () => {
  it('grants only clipboard writes, and only to our pages', () => {
    expect(permissionAllowed('clipboard-sanitized-write', 'app://troupe/index.html')).toBe(true);
    expect(permissionAllowed('clipboard-sanitized-write', 'app://troupe')).toBe(true);
    expect(permissionAllowed('clipboard-sanitized-write', 'https://example.com/')).toBe(false);
    expect(permissionAllowed('clipboard-sanitized-write', undefined)).toBe(false);
    for (const p of ['clipboard-read', 'media', 'notifications', 'geolocation', 'openExternal', 'fileSystem', 'hid', 'usb', 'serial', 'display-capture'])
      expect(permissionAllowed(p, 'app://troupe/index.html'), p).toBe(false);
  });
});
