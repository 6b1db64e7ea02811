# Paths a .blend writes to besides the render itself: compositor File Output nodes. On a teammate
# each is pointed into the task's own folder (its slots' sub-paths cut to a plain name, so none
# climbs out with ../ or an absolute path); the sandbox refuses any write that still aims outside.

import os
import re

import bpy

_UNSAFE = re.compile(r"[^A-Za-z0-9_#.-]+")


def _trees():
    for scene in bpy.data.scenes:
        if scene.node_tree is not None:
            yield f"scene {scene.name!r}", scene.node_tree
    for group in bpy.data.node_groups:
        yield f"node group {group.name!r}", group


def contain_file_outputs(folder):
    """Points every File Output node into `folder`; one line per node, in the user's words."""
    said = []
    for owner, tree in _trees():
        for node in tree.nodes:
            if node.type != "OUTPUT_FILE":
                continue
            before = node.base_path
            if tree.library is not None:
                said.append(
                    f"the File Output node {node.name!r} in the linked {owner} writes to {before!r}; "
                    "it cannot be moved here, and the sandbox refuses writes outside the task folder"
                )
                continue
            node.base_path = os.path.join(folder, _UNSAFE.sub("_", f"{tree.name}-{node.name}")) + os.sep
            for slot in node.file_slots:
                slot.path = _UNSAFE.sub("_", os.path.basename(slot.path.replace("\\", "/"))) or "Image"
            for slot in getattr(node, "layer_slots", []):
                slot.name = _UNSAFE.sub("_", slot.name) or "Layer"
            said.append(
                f"the File Output node {node.name!r} ({owner}) writes to {before!r} on its own machine; "
                "on a teammate it writes inside the task folder, and those files are not sent back"
            )
    return said
