import { describe, expect, it } from 'vitest';
import { checkAssetName } from '../../../../../electron/agent/jobs/asset-name.js';

describe('checkAssetName', () => {
  it('accepts plain relative paths and unifies separators', () => {
    expect(checkAssetName('scene.glb')).toBe('scene.glb');
    expect(checkAssetName('textures\\wood.png')).toBe('textures/wood.png');
    expect(checkAssetName('a/b/c.bin')).toBe('a/b/c.bin');
  });
  it.each([
    ['/etc/passwd', /absolute/],
    ['C:\\Windows\\win.ini', /absolute/],
    ['\\\\server\\share\\x', /absolute/],
    ['../secret', /\.\./],
    ['textures/../../x', /\.\./],
    ['a//b', /empty/],
    ['./a', /"\."/],
    ['CON', /device/],
    ['textures/nul.png', /device/],
    ['COM1.txt', /device/],
    ['ab:c', /Windows/],
    ['a:b', /absolute/], // a drive-relative path on Windows
    ['name.', /dot or space/],
    ['bad\u0000name', /control/],
    ['', /empty/],
  ])('refuses %j', (name, why) => {
    expect(() => checkAssetName(name)).toThrow(why);
  });
});
