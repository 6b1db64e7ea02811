// Writes the physics sample: `node dist/electron/agent/engines/physics/samples/make-physics-sample.js [out.glb]`
// (default assets/physics/tower-and-ball.glb, relative to the working directory).

import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { buildPhysicsSampleScene } from './physics-sample-scene.js';

const out = resolve(process.argv[2] ?? 'assets/physics/tower-and-ball.glb');
mkdirSync(dirname(out), { recursive: true });
const bytes = await buildPhysicsSampleScene();
writeFileSync(out, bytes);
console.log(`wrote ${out} (${bytes.byteLength} bytes)`);
