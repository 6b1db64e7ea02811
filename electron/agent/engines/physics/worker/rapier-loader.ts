// Owns loading Rapier: only when a physics task runs (its WebAssembly, inlined as base64 in the
// compat build, is 4 MiB of JavaScript to parse), once per thread, initialised before use.
// Import the type only elsewhere (`import type`), so no other module loads it by accident.

import type * as RapierModule from '@dimforge/rapier3d-deterministic-compat';

export type Rapier = typeof RapierModule;

let loading: Promise<Rapier> | null = null;

export function loadRapier(): Promise<Rapier> {
  loading ??= (async () => {
    // The package's ESM build exports the namespace both as named exports and as `default`.
    const rapier = (await import('@dimforge/rapier3d-deterministic-compat')).default as Rapier;
    await rapier.init();
    return rapier;
  })();
  return loading;
}
