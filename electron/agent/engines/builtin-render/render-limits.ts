// Owns the built-in renderer's memory limits on a worker, in one place: the budget the loader
// holds each scene to, and the limit of the engine process that renders it. Kept free of heavy
// imports: the agent reads these without loading the renderer.

const MiB = 2 ** 20;

/**
 * The most memory one scene may need (reading it, its decoded textures, one frame's geometry
 * and BVH), estimated before anything is allocated (scene-budget). One copy per worker, shared
 * by its render threads.
 */
export const DEFAULT_SCENE_BUDGET_BYTES = 2 * 2 ** 30;
/** The engine process's --max-old-space-size. Scenes live in ArrayBuffers outside the heap. */
export const ENGINE_HEAP_LIMIT_MB = 1024;
/** The engine process before any scene: node, the reader and tracer code, their heap. Measured 70 MiB. */
export const ENGINE_BASE_BYTES = 512 * MiB;
/** Each render thread's isolate, code and stack. Measured ~20 MiB (1, 2 and 8 threads, 2026-11-28). */
export const ENGINE_THREAD_BYTES = 32 * MiB;
/** An idle render process exits after this long, and gives back the scene it holds. */
export const ENGINE_IDLE_TIMEOUT_MS = 5 * 60_000;

/** The resident memory at which the engine process is killed, before the task's own output buffer. */
export function engineMemoryLimitBytes(sceneBudgetBytes: number, threads: number): number {
  return sceneBudgetBytes + ENGINE_BASE_BYTES + threads * ENGINE_THREAD_BYTES;
}
