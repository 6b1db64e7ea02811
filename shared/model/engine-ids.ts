// The ids of the engines this build has, as announcements, capacity and leases carry them. Plain
// constants, no schema: code that only names an engine (the CLI) need not load zod.

/** The CPU path tracer for glTF every agent has: the only engine of protocol 2.0 and 2.1. */
export const BUILTIN_RENDER_ENGINE = 'builtin-render';
/** Blender (a teammate's installed Blender, driven by Troupe's session script). */
export const BLENDER_ENGINE = 'blender';
/** Rigid-body physics (Rapier) for glTF scenes. */
export const PHYSICS_ENGINE = 'physics';
