// The engine files a packaged app runs from app.asar.unpacked (a forked process cannot run from an asar).

import { describe, expect, it } from 'vitest';
import { unpackedPath } from '../../../../../electron/agent/engines/source-modules.js';

describe('unpackedPath', () => {
  it('swaps the app.asar folder for app.asar.unpacked, on either separator', () => {
    expect(unpackedPath('/opt/Troupe/resources/app.asar/dist/electron/agent/engines/engine-child.js')).toBe(
      '/opt/Troupe/resources/app.asar.unpacked/dist/electron/agent/engines/engine-child.js',
    );
    expect(unpackedPath('C:\\Troupe\\resources\\app.asar\\dist\\engine-child.js')).toBe('C:\\Troupe\\resources\\app.asar.unpacked\\dist\\engine-child.js');
  });
  it('leaves paths outside an asar alone', () => {
    expect(unpackedPath('/work/main/dist/electron/agent/engines/engine-child.js')).toBeNull();
    expect(unpackedPath('/srv/app.asarx/file.js')).toBeNull();
  });
});
