# The stitch's denoising with OpenImageDenoise faked present (Debian's Blender lacks it, and no
# other Blender is here): which Denoise node it wires where, and that the file is as saved after.
#   blender -b denoise.blend --python denoise_wiring.py -- ASSETS_DIR OUT_DIR
# Prints "TROUPE-WIRING {json}". The denoiser itself does not run here (a build without it passes
# the image through), so this checks the wiring only.

import json
import os
import sys

import bpy

assets, out = sys.argv[sys.argv.index("--") + 1:][:2]
sys.path.insert(0, assets)
import troupe_session.denoising as denoising  # noqa: E402 (found through ASSETS_DIR)
from troupe_session.render_commands import render_region  # noqa: E402
from troupe_session.stitch_command import stitch_regions  # noqa: E402

denoising.has_open_image_denoise = lambda: True
scene = bpy.context.scene
tiles = []
for i, y in enumerate((0, 18)):
    region = {"x": 0, "y": y, "width": 64, "height": 18}
    tiles.append({**region, "path": render_region({"frame": 1, "region": region, "output": os.path.join(out, f"wired-{i}.exr"), "denoise": True}, print)["path"]})

seen = {}
enter = denoising.denoised_in_compositor.__enter__


def watched_enter(self):
    result = enter(self)
    seen["links"] = sorted(f"{l.from_node.bl_idname}.{l.from_socket.name} -> {l.to_node.bl_idname}.{l.to_socket.name}" for l in scene.node_tree.links)
    return result


denoising.denoised_in_compositor.__enter__ = watched_enter
stitch_regions({"tiles": tiles, "frame": 1, "output": os.path.join(out, "wired.png")}, print)
seen["after"] = {
    "useNodes": scene.use_nodes,
    "nodes": sorted(n.bl_idname for n in scene.node_tree.nodes),
    "engine": scene.render.engine,
    "cyclesDenoising": scene.cycles.use_denoising,
}
print("TROUPE-WIRING " + json.dumps(seen))
