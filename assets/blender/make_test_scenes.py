# Writes the Blender engine's test scenes into a folder, so no .blend binary lives in the repo:
#   blender -b --factory-startup --python assets/blender/make_test_scenes.py -- OUT_DIR
# Every scene is tiny (64x36, a few Cycles samples on the CPU): Debian's Blender has no GPU here,
# and Eevee needs one.
#   animation.blend       6 frames of a turning cube, PNG output to //out/frame_####
#   still.blend           one frame with several objects, for region renders
#   autorun.blend         a registered text block that would write autorun-marker.txt beside it
#   textured.blend        an external texture (//textures/checker.png) and an object linked from
#                         //library.blend
#   missing-texture.blend a texture that does not exist (//textures/missing.png)
#   rigidbody.blend       cubes falling on a floor, rigid body world over frames 1-20
#   denoise.blend         Cycles with OpenImageDenoise on (Debian's Blender lacks it)
#   layered-still.blend   still.blend as a compositor artist has it: two view layers with Depth and
#                         Normal passes, a blur in the compositor (it looks across region edges),
#                         a burnt-in stamp, multilayer OpenEXR output

import math
import os
import sys

import bpy

SIZE = (64, 36)
MARKER_SCRIPT = """import os, bpy
open(os.path.join(os.path.dirname(bpy.data.filepath), 'autorun-marker.txt'), 'w').write('the file ran its script')
"""


def empty_cycles_scene(size, samples, frames):
    """Factory settings, an empty scene: Cycles on the CPU, no denoising, PNG frames."""
    bpy.ops.wm.read_factory_settings(use_empty=True)
    scene = bpy.context.scene
    scene.render.engine = "CYCLES"
    scene.cycles.device = "CPU"
    scene.cycles.samples = samples
    scene.cycles.use_denoising = False
    scene.render.resolution_x, scene.render.resolution_y = size
    scene.render.resolution_percentage = 100
    scene.render.image_settings.file_format = "PNG"
    scene.frame_start, scene.frame_end = frames
    return scene


def fresh_scene(samples=4, frames=(1, 1)):
    scene = empty_cycles_scene(SIZE, samples, frames)
    bpy.ops.object.camera_add(location=(0, -6, 2.5), rotation=(math.radians(70), 0, 0))
    scene.camera = bpy.context.active_object
    bpy.ops.object.light_add(type="SUN", location=(2, -2, 5))
    world = bpy.data.worlds.new("World")
    world.color = (0.2, 0.25, 0.3)
    scene.world = world
    return scene


def add_material(obj, color):
    material = bpy.data.materials.new(f"{obj.name}-material")
    material.use_nodes = True
    material.node_tree.nodes["Principled BSDF"].inputs["Base Color"].default_value = (*color, 1)
    obj.data.materials.append(material)
    return material


def save(out_dir, name):
    path = os.path.join(out_dir, name)
    bpy.ops.wm.save_as_mainfile(filepath=path, relative_remap=True)
    return path


def animation(out_dir):
    scene = fresh_scene(frames=(1, 6))
    scene.render.filepath = "//out/frame_####"
    bpy.ops.mesh.primitive_cube_add()
    cube = bpy.context.active_object
    add_material(cube, (0.8, 0.3, 0.1))
    for frame, angle in ((1, 0), (6, 90)):
        cube.rotation_euler = (0, 0, math.radians(angle))
        cube.keyframe_insert("rotation_euler", frame=frame)
    save(out_dir, "animation.blend")


def still(out_dir):
    fresh_scene(samples=8)
    bpy.ops.mesh.primitive_plane_add(size=10)
    bpy.ops.mesh.primitive_uv_sphere_add(location=(-1.2, 0, 1))
    add_material(bpy.context.active_object, (0.1, 0.4, 0.9))
    bpy.ops.mesh.primitive_cube_add(location=(1.2, 0.5, 1))
    add_material(bpy.context.active_object, (0.9, 0.8, 0.1))
    save(out_dir, "still.blend")


def layered_still(out_dir):
    still(out_dir)
    scene = bpy.context.scene
    first = scene.view_layers[0]
    first.use_pass_z = first.use_pass_normal = True
    scene.view_layers.new("Background").use_pass_normal = True
    scene.use_nodes = True
    tree = scene.node_tree
    blur = tree.nodes.new("CompositorNodeBlur")
    blur.size_x = blur.size_y = 5
    tree.links.new(tree.nodes["Render Layers"].outputs["Image"], blur.inputs["Image"])
    tree.links.new(blur.outputs["Image"], tree.nodes["Composite"].inputs["Image"])
    scene.render.use_stamp = True
    scene.render.use_stamp_note = True
    scene.render.stamp_note_text = "troupe"
    scene.render.image_settings.file_format = "OPEN_EXR_MULTILAYER"
    scene.render.filepath = "//out/layered_####"
    save(out_dir, "layered-still.blend")


def autorun(out_dir):
    fresh_scene()
    bpy.ops.mesh.primitive_cube_add()
    text = bpy.data.texts.new("write_marker.py")
    text.write(MARKER_SCRIPT)
    text.use_module = True  # "Register": Blender runs it when the file loads, if scripts may run
    save(out_dir, "autorun.blend")


def textured_material(obj, image_path):
    material = add_material(obj, (1, 1, 1))
    nodes = material.node_tree.nodes
    texture = nodes.new("ShaderNodeTexImage")
    texture.image = bpy.data.images.load(image_path, check_existing=False)
    material.node_tree.links.new(texture.outputs["Color"], nodes["Principled BSDF"].inputs["Base Color"])


def checker_texture(out_dir):
    os.makedirs(os.path.join(out_dir, "textures"), exist_ok=True)
    path = os.path.join(out_dir, "textures", "checker.png")
    image = bpy.data.images.new("checker", 8, 8)
    image.pixels = [v for i in range(64) for v in ((1, 1, 1, 1) if (i // 8 + i) % 2 else (0.1, 0.1, 0.1, 1))]
    image.filepath_raw = path
    image.file_format = "PNG"
    image.save()
    return path


def library(out_dir):
    fresh_scene()
    bpy.ops.mesh.primitive_cone_add(location=(1.5, 0, 1))
    cone = bpy.context.active_object
    cone.name = "LibCone"
    add_material(cone, (0.2, 0.8, 0.3))
    return save(out_dir, "library.blend")


def textured(out_dir):
    library_path = library(out_dir)
    fresh_scene()
    bpy.ops.mesh.primitive_plane_add(size=4, location=(-1, 0, 0.5), rotation=(math.radians(60), 0, 0))
    textured_material(bpy.context.active_object, checker_texture(out_dir))
    with bpy.data.libraries.load(library_path, link=True, relative=True) as (_source, linked):
        linked.objects = ["LibCone"]
    bpy.context.scene.collection.objects.link(linked.objects[0])
    save(out_dir, "textured.blend")


def missing_texture(out_dir):
    fresh_scene()
    bpy.ops.mesh.primitive_plane_add(size=4)
    plane = bpy.context.active_object
    textured_material(plane, checker_texture(out_dir))
    plane.active_material.node_tree.nodes["Image Texture"].image.filepath = "//textures/missing.png"
    save(out_dir, "missing-texture.blend")


def rigidbody(out_dir):
    scene = fresh_scene(frames=(1, 20))
    bpy.ops.rigidbody.world_add()
    scene.rigidbody_world.point_cache.frame_start, scene.rigidbody_world.point_cache.frame_end = 1, 20
    bpy.ops.mesh.primitive_plane_add(size=10)
    bpy.ops.rigidbody.object_add(type="PASSIVE")
    for i in range(3):
        bpy.ops.mesh.primitive_cube_add(size=0.5, location=(i * 0.3 - 0.3, 0, 2 + i))
        bpy.ops.rigidbody.object_add(type="ACTIVE")
    save(out_dir, "rigidbody.blend")


def denoise(out_dir):
    scene = fresh_scene()
    scene.cycles.use_denoising = True
    try:
        scene.cycles.denoiser = "OPENIMAGEDENOISE"
    except TypeError:
        pass  # a build without it offers no denoiser to choose, but OpenImageDenoise stays the saved default
    bpy.ops.mesh.primitive_cube_add()
    save(out_dir, "denoise.blend")


def main():
    argv = sys.argv[sys.argv.index("--") + 1:] if "--" in sys.argv else []
    if not argv:
        raise SystemExit("usage: blender -b --factory-startup --python make_test_scenes.py -- OUT_DIR")
    out_dir = os.path.abspath(argv[0])
    os.makedirs(out_dir, exist_ok=True)
    for make in (animation, still, layered_still, autorun, textured, missing_texture, rigidbody, denoise):
        make(out_dir)
    print(f"troupe test scenes written to {out_dir}")


if __name__ == "__main__":  # make_artist_scenes.py imports the helpers
    main()
