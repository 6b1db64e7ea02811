import { describe, expect, it } from 'vitest';
import { encodePng, encodePngAsync } from '../../../../../../electron/agent/engines/builtin-render/image-encode.js';

describe('encodePngAsync', () => {
  it('writes exactly the bytes encodePng writes (across several slices of rows)', async () => {
    const width = 37;
    const height = 150;
    const rgba = new Float32Array(width * height * 4).map((_, i) => ((i * 7919) % 1000) / 900 - 0.05);
    expect((await encodePngAsync(rgba, width, height)).equals(encodePng(rgba, width, height))).toBe(true);
  });
});
