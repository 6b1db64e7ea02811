// `node dist/test/bench/tracer-bench.js`: the built-in renderer's ray rate on the sample scene,
// one thread, the same rays traced by our packed-node traversal and by three-mesh-bvh's
// raycastFirst (its generic closest-hit query), in the same run. Goal: at least the generic
// rate; aim 3x.

import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DoubleSide, Ray, Vector3 } from 'three';
import { buildFrameScene } from '../../electron/agent/engines/builtin-render/reading/frame-scene.js';
import { PixelRandom } from '../../electron/agent/engines/builtin-render/worker/pixel-random.js';
import { loadScene } from '../../electron/agent/engines/builtin-render/reading/scene-loader.js';

// Compiled, this file is dist/test/bench/; from sources it is test/bench/.
const SAMPLE_SCENE = [new URL('../../../assets/sample-scene.glb', import.meta.url), new URL('../../assets/sample-scene.glb', import.meta.url)]
  .map((u) => fileURLToPath(u))
  .find((p) => existsSync(p))!;
const RAYS = Number(process.env.BENCH_RAYS ?? 200_000);

export async function benchTracer(scenePath = SAMPLE_SCENE): Promise<{ ownRaysPerSecPerCore: number; raycastFirstRaysPerSecPerCore: number }> {
  const frame = buildFrameScene(await loadScene(scenePath), 0);
  const rays = cameraRays(frame.camera, RAYS);
  const own = (count: number): { seconds: number; t: Float64Array } => {
    const t = new Float64Array(count);
    const tracer = frame.tracer;
    const start = performance.now();
    for (let i = 0; i < count; i++) {
      const o = i * 6;
      t[i] = tracer.closestHit(rays[o]!, rays[o + 1]!, rays[o + 2]!, rays[o + 3]!, rays[o + 4]!, rays[o + 5]!, Infinity) ? tracer.hitT : -1;
    }
    return { seconds: (performance.now() - start) / 1000, t };
  };
  const generic = (count: number): { seconds: number; t: Float64Array } => {
    const t = new Float64Array(count);
    const ray = new Ray(new Vector3(), new Vector3());
    const start = performance.now();
    for (let i = 0; i < count; i++) {
      const o = i * 6;
      ray.origin.set(rays[o]!, rays[o + 1]!, rays[o + 2]!);
      ray.direction.set(rays[o + 3]!, rays[o + 4]!, rays[o + 5]!);
      t[i] = frame.bvh.raycastFirst(ray, DoubleSide)?.distance ?? -1;
    }
    return { seconds: (performance.now() - start) / 1000, t };
  };
  // Warm both up so the JIT has compiled each before it is timed.
  own(Math.min(RAYS, 20_000));
  generic(Math.min(RAYS, 20_000));
  const a = own(RAYS);
  const b = generic(RAYS);
  let disagree = 0;
  for (let i = 0; i < RAYS; i++) {
    if ((a.t[i]! < 0) !== (b.t[i]! < 0) || Math.abs(a.t[i]! - b.t[i]!) > 1e-4 * Math.max(1, b.t[i]!)) disagree++;
  }
  if (disagree > RAYS * 1e-4) throw new Error(`the two traversals disagree on ${disagree} of ${RAYS} rays`);
  return { ownRaysPerSecPerCore: RAYS / a.seconds, raycastFirstRaysPerSecPerCore: RAYS / b.seconds };
}

/** Rays from around the camera through random points of its view (deterministic). */
function cameraRays(camera: ReturnType<typeof buildFrameScene>['camera'], count: number): Float64Array {
  const rng = new PixelRandom();
  rng.start(1, 0, 0, 0, 0);
  const tan = Math.tan(camera.model.yfov / 2) * 1.2;
  const out = new Float64Array(count * 6);
  for (let i = 0; i < count; i++) {
    const sx = (rng.next() * 2 - 1) * tan * (4 / 3);
    const sy = (rng.next() * 2 - 1) * tan;
    let dx = camera.forward[0] + camera.right[0] * sx + camera.up[0] * sy;
    let dy = camera.forward[1] + camera.right[1] * sx + camera.up[1] * sy;
    let dz = camera.forward[2] + camera.right[2] * sx + camera.up[2] * sy;
    const len = Math.hypot(dx, dy, dz);
    dx /= len;
    dy /= len;
    dz /= len;
    const o = i * 6;
    out[o] = camera.position[0] + (rng.next() - 0.5) * 0.2;
    out[o + 1] = camera.position[1] + (rng.next() - 0.5) * 0.2;
    out[o + 2] = camera.position[2] + (rng.next() - 0.5) * 0.2;
    out[o + 3] = dx;
    out[o + 4] = dy;
    out[o + 5] = dz;
  }
  return out;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { ownRaysPerSecPerCore: own, raycastFirstRaysPerSecPerCore: generic } = await benchTracer();
  const fmt = (n: number): string => `${(n / 1e6).toFixed(2)} M rays/s`;
  console.log(`tracer, ${RAYS} camera rays, sample scene, one thread`);
  console.log(`  own traversal        ${fmt(own)}`);
  console.log(`  bvh.raycastFirst     ${fmt(generic)}`);
  const ratio = own / generic;
  console.log(`  ratio                ${ratio.toFixed(2)}x   goal >= 1x, aim 3x   ${ratio >= 1 ? 'ok' : 'MISSED'}`);
}
