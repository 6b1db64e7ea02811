// Writes the sample scene: `node dist/electron/agent/engines/builtin-render/samples/make-sample-scene.js [out.glb]`
// (default assets/sample-scene.glb, relative to the working directory).

import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { buildSampleScene } from './sample-scene.js';

const out = resolve(process.argv[2] ?? 'assets/sample-scene.glb');
mkdirSync(dirname(out), { recursive: true });
const bytes = await buildSampleScene();
writeFileSync(out, bytes);
console.log(`wrote ${out} (${bytes.byteLength} bytes)`);
