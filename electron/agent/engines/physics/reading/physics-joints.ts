// Owns mapping the draft's joints (any set of 1D/2D/3D limits and drives on six axes) to what
// Rapier's JavaScript API can build exactly: a generic joint that locks some axes, or a revolute
// or prismatic joint whose one free axis may be limited and driven. Everything else is refused:
// soft limits, cone or distance ranges, a range next to other free axes, drives on such joints.

import type { JointDriveJson, JointLimitJson } from './khr-physics-schema.js';
import { BadPhysicsSceneError } from '../physics-errors.js';
import type { JointModel, Pose, Quat } from './physics-scene.js';
import { quatMultiply } from './trs-math.js';

/** Rapier's JointAxesMask bits, in our axis order: linear X, Y, Z, then angular X, Y, Z. */
const AXIS_BITS = [1, 2, 4, 8, 16, 32];
const AXIS_NAMES = ['linear X', 'linear Y', 'linear Z', 'angular X', 'angular Y', 'angular Z'];
/** A one-sided limit's open end: far outside any scene, still a float32. */
const OPEN_LIMIT = 3e38;
/** Rotations taking X onto X, Y and Z: Rapier's revolute and prismatic joints act along their frames' X. */
const X_ONTO: Quat[] = [
  [0, 0, 0, 1],
  [0, 0, Math.SQRT1_2, Math.SQRT1_2],
  [0, -Math.SQRT1_2, 0, Math.SQRT1_2],
];

type AxisState = 'free' | 'locked' | [number, number];

export type JointShape = Pick<JointModel, 'kind' | 'lockedAxes' | 'limits' | 'motor' | 'frameA' | 'frameB'>;

export function jointShape(limits: JointLimitJson[], drives: JointDriveJson[], frameA: Pose, frameB: Pose, where: string, fileName: string, warnings: string[]): JointShape {
  const refuse = (why: string): never => {
    throw new BadPhysicsSceneError(`${fileName}: ${where} ${why}`);
  };
  const state: AxisState[] = ['free', 'free', 'free', 'free', 'free', 'free'];
  const set = (axis: number, next: AxisState): void => {
    const now = state[axis]!;
    if (now === 'free') state[axis] = next;
    else if (!(now === 'locked' && next === 'locked')) refuse(`limits its ${AXIS_NAMES[axis]} axis twice; give each axis one limit`);
  };
  for (const limit of limits) {
    if (limit.stiffness !== undefined) refuse('has a soft limit (stiffness); Rapier\'s JavaScript joints have hard limits only: remove the stiffness');
    const offset = limit.angularAxes ? 3 : 0;
    const axes = (limit.angularAxes ?? limit.linearAxes)!.map((a) => a + offset);
    const lo = limit.min ?? -Infinity;
    const hi = limit.max ?? Infinity;
    if (axes.length === 1) {
      if (lo === 0 && hi === 0) set(axes[0]!, 'locked');
      else if (lo !== -Infinity || hi !== Infinity) set(axes[0]!, [Math.max(lo, -OPEN_LIMIT), Math.min(hi, OPEN_LIMIT)]);
    } else if (hi === 0 && lo <= 0) {
      // A distance or cone angle of at most 0 holds those axes together: the same as locking each.
      for (const a of axes) set(a, 'locked');
    } else if (hi !== Infinity || lo > 0) {
      refuse(`limits ${axes.length} ${offset ? 'angular' : 'linear'} axes together to a range (a ${offset ? 'cone' : 'distance'}); Rapier's joints limit one axis at a time: use 1D limits`);
    }
  }
  const open = [0, 1, 2, 3, 4, 5].filter((a) => state[a] !== 'locked');
  const ranged = open.filter((a) => Array.isArray(state[a]));
  const driveAxis = (d: JointDriveJson): number => d.axis + (d.type === 'angular' ? 3 : 0);
  const effective = drives.filter((d) => {
    if (state[driveAxis(d)] !== 'locked') return true;
    warnings.push(`${where} drives its ${AXIS_NAMES[driveAxis(d)]} axis, which the joint locks; the drive has no effect`);
    return false;
  });
  if (open.length === 1) {
    const axis = open[0]!;
    if (effective.length > 1) refuse(`has ${effective.length} drives on its ${AXIS_NAMES[axis]} axis; give it one`);
    const onto = X_ONTO[axis % 3]!;
    const range = state[axis];
    const drive = effective[0];
    return {
      kind: axis < 3 ? 'prismatic' : 'revolute',
      lockedAxes: 0,
      limits: Array.isArray(range) ? range : null,
      motor: drive
        ? {
            model: drive.mode,
            targetPosition: drive.positionTarget ?? 0,
            targetVelocity: drive.velocityTarget ?? 0,
            stiffness: drive.stiffness ?? 0,
            damping: drive.damping ?? 0,
            maxForce: drive.maxForce ?? Infinity,
          }
        : null,
      frameA: { translation: frameA.translation, rotation: quatMultiply(frameA.rotation, onto) },
      frameB: { translation: frameB.translation, rotation: quatMultiply(frameB.rotation, onto) },
    };
  }
  if (ranged.length > 0) {
    refuse(
      `limits its ${AXIS_NAMES[ranged[0]!]} axis to a range while ${open.length - 1} other axes are free; Rapier's JavaScript joints can limit only the one free axis of a hinge or a slider`,
    );
  }
  if (effective.length > 0) refuse(`drives a joint with ${open.length} free axes; Rapier's JavaScript joints can drive only a hinge or a slider (one free axis)`);
  const lockedAxes = AXIS_BITS.reduce((mask, bit, a) => (state[a] === 'locked' ? mask | bit : mask), 0);
  return { kind: 'generic', lockedAxes, limits: null, motor: null, frameA, frameB };
}
