// The physics engine process, `node physics-engine-child.js`: started by PhysicsEngine through an
// EngineHost (contained to the job's folders on a teammate's task), never on its own.

import { serveEngine } from '../../engine-child.js';
import { PhysicsService } from './physics-service.js';

serveEngine(new PhysicsService());
