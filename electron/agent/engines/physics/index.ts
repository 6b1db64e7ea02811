// The built-in physics engine: deterministic rigid bodies (Rapier) for glTF scenes with the Khronos
// physics drafts. It owns reading and refusing scenes, wedge variants, running a variant or a chunk
// on a worker thread, and writing the baked .glb and summary; the job system owns what runs where.

export type { PhysicsScene, BodyModel, ColliderModel, JointModel, Vec3, Quat } from './reading/physics-scene.js';
export { readPhysicsFile, readPhysicsScene, type PhysicsSceneFile } from './reading/gltf-physics-reader.js';
export type { SceneInput } from './reading/physics-scene-source.js';
export {
  checkPhysicsSettings,
  keyframeStep,
  DEFAULT_DT_SECONDS,
  DEFAULT_DURATION_SECONDS,
  DEFAULT_FPS,
  DEFAULT_GRAVITY,
  MAX_TOTAL_STEPS,
  type CheckedPhysicsSettings,
  type PhysicsSettings,
} from './physics-settings.js';
export { applyOverrides, findBody, type BodyOverride, type PhysicsOverrides, type VectorOverride } from './physics-overrides.js';
export { wedgeVariants, MAX_WEDGE_VARIANTS, type WedgeRandomOptions, type WedgeVariant } from './coordinator/wedge-variants.js';
export { runPhysicsTask, type PhysicsRunOptions } from './worker/physics-runner.js';
export { runPhysicsTaskInProcess, type BodySummary, type PhysicsTask, type PhysicsTaskResult } from './worker/physics-task.js';
export { POSE_FLOATS, type ChunkKeyframes } from './worker/physics-stepper.js';
export { mergeKeyframes, type RunKeyframes } from './worker/simulated-poses.js';
export { physicsSummaryJson, writePhysicsGlb, SIMULATION_ANIMATION, type PhysicsSummaryJson } from './physics-output.js';
export { REST_ANGULAR_SPEED_RAD_PER_S, REST_SPEED_M_PER_S } from './worker/physics-accumulators.js';
export { buildPhysicsSampleScene } from './samples/physics-sample-scene.js';
export { benchPhysicsStepping, type PhysicsBenchOptions, type PhysicsBenchResult } from './samples/physics-bench-core.js';
export {
  BadPhysicsChunksError,
  BadPhysicsOverrideError,
  BadPhysicsSceneError,
  BadPhysicsSettingsError,
  BadPhysicsSnapshotError,
  BadWedgeSpecError,
} from './physics-errors.js';
