// One registry, keyed by engine id: a new engine is one register call, and the agent advertises
// only the engines this machine has.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PHYSICS_ENGINE_VERSION } from '../../../../../electron/agent/engines/physics/physics-wire.js';
import { BUILTIN_RENDER_WIRE, type BuiltinRenderLease } from '../../../../../electron/agent/engines/builtin-render/render-wire.js';
import { EngineRegistry } from '../../../../../electron/agent/engines/engine-registry.js';
import { registeredEngines } from '../../../../../electron/agent/engines/registered-engines.js';
import type { Engine } from '../../../../../electron/agent/engines/engine.js';
import { PathTracerJobType } from '../../../../../electron/agent/engines/builtin-render/coordinator/path-tracer-job-type.js';

const REPO = join(import.meta.dirname, '../../../../..');

/** An engine that is not on this machine until detect() finds it. */
function absentEngine(): Engine<BuiltinRenderLease> & { found: boolean } {
  return {
    wire: BUILTIN_RENDER_WIRE,
    found: false,
    advert() {
      return this.found ? { id: 'builtin-render', version: '9.1' } : null;
    },
    async detect() {
      this.found = true;
    },
    run: async () => undefined,
    close: async () => undefined,
  };
}

describe('EngineRegistry', () => {
  it('advertises the built-in renderer without a version and physics with its Rapier release; Blender only once found', () => {
    const engines = registeredEngines();
    expect(engines.jobType('blender').wire.id).toBe('blender'); // registered, not advertised: detect() has not found it yet
    expect(engines.adverts()).toEqual([{ id: 'builtin-render', version: null }, { id: 'physics', version: PHYSICS_ENGINE_VERSION, label: 'physics' }]);
    expect(engines.announced()).toEqual(['builtin-render', `physics/${PHYSICS_ENGINE_VERSION}`]);
    // The version names the Rapier release package.json pins (a new release must change it), then our summary's revision.
    const rapier = JSON.parse(readFileSync(join(REPO, 'node_modules/@dimforge/rapier3d-deterministic-compat/package.json'), 'utf8')) as { version: string };
    expect(PHYSICS_ENGINE_VERSION).toMatch(new RegExp(`^rapier-${rapier.version.replaceAll('.', '\\.')}\\+\\d+$`));
    expect(engines.jobType('builtin-render').wire.id).toBe('builtin-render');
    expect(engines.enginesBeforeAdverts()).toEqual([{ id: 'builtin-render', version: null }]);
  });

  it('advertises an engine only once it is found, with its version', async () => {
    const engine = absentEngine();
    const engines = new EngineRegistry().register(new PathTracerJobType(), engine);
    expect(engines.adverts()).toEqual([]);
    await engines.detect();
    expect(engines.adverts()).toEqual([{ id: 'builtin-render', version: '9.1' }]);
    expect(engines.announced()).toEqual(['builtin-render/9.1']);
  });

  it('refuses an id twice, and names an engine it does not have', () => {
    const engines = new EngineRegistry().register(new PathTracerJobType(), absentEngine());
    expect(() => engines.register(new PathTracerJobType(), absentEngine())).toThrow('registered twice');
    expect(() => engines.jobType('teapot')).toThrow('no engine "teapot"');
  });
});
