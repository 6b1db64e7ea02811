// The built-in renderer's engine process, `node render-engine-child.js <threads>`: started by
// BuiltinRenderer through an EngineHost (with its memory limits), never on its own.

import { serveEngine } from '../../engine-child.js';
import { RenderService } from './render-service.js';

serveEngine(new RenderService(Math.max(1, Number(process.argv[2]) || 1)));
