// Owns reading one node's `joint`: the two bodies it connects (a node's body is itself or its
// nearest ancestor with a motion; none is the world), the attachment frames in those bodies, and
// the joint description, mapped by physics-joints to what Rapier can build.

import { BadPhysicsSceneError } from '../physics-errors.js';
import { jointShape } from './physics-joints.js';
import { nodeLabel, type ReadContext } from './physics-read-context.js';
import type { JointModel, Pose } from './physics-scene.js';
import { decompose, relativeTo } from './trs-math.js';

/** The joint on `node`, or null (with a warning) when it joins nothing that moves. */
export function readJoint(ctx: ReadContext, node: number): JointModel | null {
  const joint = ctx.nodeExt[node]!.joint!;
  const where = `${nodeLabel(ctx, node)}'s joint`;
  const refuse = (why: string): never => {
    throw new BadPhysicsSceneError(`${ctx.fileName}: ${where} ${why}`);
  };
  const other = joint.connectedNode;
  if (other >= ctx.graph.count) refuse(`connects to node ${other}, which does not exist`);
  if (!ctx.graph.inScene[other]) refuse(`connects to ${nodeLabel(ctx, other)}, which is not in the scene`);
  const description = ctx.document.physicsJoints?.[joint.joint] ?? refuse(`names joint description ${joint.joint}, which does not exist`);
  const ownerA = ctx.ownerBody[node]!;
  const ownerB = ctx.ownerBody[other]!;
  if (ownerA === -1 && ownerB === -1) {
    ctx.warnings.push(`${where} joins two static nodes; it has no effect`);
    return null;
  }
  if (ownerA === ownerB) refuse(`connects two nodes of the same body (${nodeLabel(ctx, ownerA)}); a joint needs two bodies`);
  const frameIn = (owner: number, n: number): Pose => {
    const world = ctx.graph.world[n]!;
    const relative = decompose(owner === -1 ? world : relativeTo(ctx.bodyPose.get(owner)!, world));
    if (!relative) refuse(`has its frame on ${nodeLabel(ctx, n)}, whose transform is sheared`);
    return { translation: relative!.translation, rotation: relative!.rotation };
  };
  const shape = jointShape(description.limits ?? [], description.drives ?? [], frameIn(ownerA, node), frameIn(ownerB, other), where, ctx.fileName, ctx.warnings);
  return {
    node,
    name: ctx.graph.names[node]!,
    bodyA: ownerA === -1 ? null : ctx.bodyIndex.get(ownerA)!,
    bodyB: ownerB === -1 ? null : ctx.bodyIndex.get(ownerB)!,
    ...shape,
    contactsEnabled: joint.enableCollision ?? false,
  };
}
