# Compares two multilayer OpenEXR files pass by pass, with Blender's own reader:
#   blender -b FILE.blend --python exr_passes.py -- A.exr B.exr WIDTH HEIGHT
# Prints one line "TROUPE-PASSES {json}": {"<layer>.<pass>": largest absolute difference} for the
# Combined, Depth and Normal passes of every view layer of the .blend.
# A throwaway render engine reads the files (RenderResult.load_from_file), since bpy images show
# only one pass of a multilayer file.

import json
import sys

import bpy
import numpy

a_path, b_path, width, height = sys.argv[sys.argv.index("--") + 1:][:4]
width, height = int(width), int(height)
seen = {}


class PassReader(bpy.types.RenderEngine):
    bl_idname = "TROUPE_PASS_READER"
    bl_label = "Troupe pass reader"
    bl_use_postprocess = False

    def render(self, depsgraph):
        layer = depsgraph.view_layer.name
        for path in (a_path, b_path):
            result = self.begin_result(0, 0, width, height, layer=layer)
            result.load_from_file(path)
            for render_layer in result.layers:
                for render_pass in render_layer.passes:
                    pixels = numpy.array(render_pass.rect[:], dtype=numpy.float32).ravel()
                    seen.setdefault(f"{render_layer.name}.{render_pass.name}", []).append(pixels)
            self.end_result(result, cancel=True)

    def update_render_passes(self, scene=None, renderlayer=None):
        self.register_pass(scene, renderlayer, "Combined", 4, "RGBA", "COLOR")
        self.register_pass(scene, renderlayer, "Depth", 1, "Z", "VALUE")
        self.register_pass(scene, renderlayer, "Normal", 3, "XYZ", "VECTOR")


bpy.utils.register_class(PassReader)
scene = bpy.context.scene
scene.render.engine = PassReader.bl_idname
scene.use_nodes = False
bpy.ops.render.render()
diffs = {name: (float(numpy.abs(p[0] - p[1]).max()) if len(p) == 2 else None) for name, p in seen.items()}
print("TROUPE-PASSES " + json.dumps(diffs))
