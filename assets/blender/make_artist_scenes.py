# Writes .blend files the way artists have them, with every kind of outside file a scene uses, for
# the tests of what travels with a Blender job (test/integration/blender-files.test.ts):
#   blender -b --factory-startup --python assets/blender/make_artist_scenes.py -- ROOT
# ROOT gets:
#   project/shot/sequence.blend   an image-sequence texture //tex/seq_0001..0004.png, 4 frames
# (the one-picture scenes have 2 frames: whole frames, comparable with a local render)
#   project/shot/udim.blend       a UDIM texture //tex/udim.<UDIM>.png with tiles 1001 and 1002
#   project/shot/particles.blend  particles baked to a disk cache (//blendcache_particles/)
#   project/shot/nested.blend     an object linked from //../libs/outer.blend, which links its
#                                 material from inner.blend, whose texture is //tex/inner.png
#                                 relative to inner.blend (a library of a library)
#   project/shot/absolute.blend   a texture inside the project named by its absolute path
#   project/shot/hostile.blend    images naming what a scene must never send: a private key and
#                                 notes outside the project, /proc/self/environ, /dev/zero, a
#                                 FIFO, a file reached through a link to a folder outside
#   project/shot/outside.blend    one file outside the project (//../../home/notes.txt)
#   home/.ssh/id_rsa, home/notes.txt  the artist's private files (outside the project)
# Every frame is 48x27 with a few Cycles samples.

import math
import os
import sys

import bpy

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True  # no __pycache__ beside the scripts
from make_test_scenes import empty_cycles_scene, layered_still  # noqa: E402

SIZE = (48, 27)


def fresh_scene(frames=(1, 1), samples=4):
    scene = empty_cycles_scene(SIZE, samples, frames)
    scene.render.filepath = "//out/frame_####"
    bpy.ops.object.camera_add(location=(0, -4, 0), rotation=(math.radians(90), 0, 0))
    scene.camera = bpy.context.active_object
    world = bpy.data.worlds.new("World")
    world.color = (1, 1, 1)
    scene.world = world
    return scene


def write_png(path, color, size=8):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    image = bpy.data.images.new(os.path.basename(path), size, size)
    image.pixels = [c for _ in range(size * size) for c in (*color, 1.0)]
    image.filepath_raw = path
    image.file_format = "PNG"
    image.save()
    bpy.data.images.remove(image)


def emissive_plane(name, image, scale_u=1.0):
    """A plane facing the camera that shows `image` unlit, filling most of the frame."""
    bpy.ops.mesh.primitive_plane_add(size=2.6, location=(0, 0, 0), rotation=(math.radians(90), 0, 0))
    plane = bpy.context.active_object
    plane.name = name
    if scale_u != 1.0:
        for loop in plane.data.uv_layers.active.data:
            loop.uv = (loop.uv[0] * scale_u, loop.uv[1])
    material = bpy.data.materials.new(f"{name}-material")
    material.use_nodes = True
    nodes, links = material.node_tree.nodes, material.node_tree.links
    nodes.clear()
    texture = nodes.new("ShaderNodeTexImage")
    texture.image = image
    texture.interpolation = "Closest"
    emission = nodes.new("ShaderNodeEmission")
    output = nodes.new("ShaderNodeOutputMaterial")
    links.new(texture.outputs["Color"], emission.inputs["Color"])
    links.new(emission.outputs["Emission"], output.inputs["Surface"])
    plane.data.materials.append(material)
    return plane, texture


def save(path):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    bpy.ops.wm.save_as_mainfile(filepath=path, relative_remap=True)


def sequence(shot):
    colors = [(1, 0, 0), (0, 1, 0), (0, 0, 1), (1, 1, 0)]
    for i, color in enumerate(colors, start=1):
        write_png(os.path.join(shot, "tex", f"seq_{i:04d}.png"), color)
    fresh_scene(frames=(1, 4))
    image = bpy.data.images.load(os.path.join(shot, "tex", "seq_0001.png"))
    image.source = "SEQUENCE"
    _, texture = emissive_plane("Screen", image)
    texture.image_user.frame_duration = 4
    texture.image_user.frame_start = 1
    texture.image_user.use_auto_refresh = True
    save(os.path.join(shot, "sequence.blend"))


def udim(shot):
    write_png(os.path.join(shot, "tex", "udim.1001.png"), (1, 0.5, 0))
    write_png(os.path.join(shot, "tex", "udim.1002.png"), (0, 0.5, 1))
    fresh_scene(frames=(1, 2))
    image = bpy.data.images.load(os.path.join(shot, "tex", "udim.1001.png"))
    image.source = "TILED"
    image.filepath = os.path.join(shot, "tex", "udim.<UDIM>.png")
    if not any(t.number == 1002 for t in image.tiles):
        image.tiles.new(tile_number=1002)
    image.reload()
    emissive_plane("Tiles", image, scale_u=2.0)
    save(os.path.join(shot, "udim.blend"))


def particles(shot):
    scene = fresh_scene(frames=(1, 6))
    scene.world.color = (0.1, 0.1, 0.1)
    bpy.ops.object.light_add(type="SUN", location=(0, -3, 3), rotation=(math.radians(45), 0, 0))
    bpy.ops.mesh.primitive_ico_sphere_add(radius=0.08, location=(0, 0, -20))
    dot = bpy.context.active_object
    dot.name = "Dot"
    bpy.ops.mesh.primitive_plane_add(size=2, location=(0, 0, 1), rotation=(0, 0, 0))
    emitter = bpy.context.active_object
    emitter.name = "Emitter"
    emitter.modifiers.new("Particles", "PARTICLE_SYSTEM")
    system = emitter.particle_systems[0]
    settings = system.settings
    settings.count = 60
    settings.frame_start, settings.frame_end = 1, 3
    settings.lifetime = 50
    settings.render_type = "OBJECT"
    settings.instance_object = dot
    settings.normal_factor = 0.0
    settings.factor_random = 1.5
    emitter.show_instancer_for_render = False
    cache = system.point_cache
    cache.frame_start, cache.frame_end = 1, 6
    save(os.path.join(shot, "particles.blend"))
    cache.use_disk_cache = True
    override = {"scene": scene, "point_cache": cache}
    with bpy.context.temp_override(**override):
        bpy.ops.ptcache.bake(bake=True)
    save(os.path.join(shot, "particles.blend"))


def nested(project):
    libs = os.path.join(project, "libs")
    write_png(os.path.join(libs, "tex", "inner.png"), (0.9, 0.1, 0.8))
    bpy.ops.wm.read_factory_settings(use_empty=True)
    image = bpy.data.images.load(os.path.join(libs, "tex", "inner.png"))
    _, _ = emissive_plane("InnerPlane", image)
    bpy.data.materials["InnerPlane-material"].use_fake_user = True
    save(os.path.join(libs, "inner.blend"))

    bpy.ops.wm.read_factory_settings(use_empty=True)
    with bpy.data.libraries.load(os.path.join(libs, "inner.blend"), link=True, relative=True) as (src, dst):
        dst.materials = ["InnerPlane-material"]
    bpy.ops.mesh.primitive_plane_add(size=2.6, location=(0, 0, 0), rotation=(math.radians(90), 0, 0))
    outer = bpy.context.active_object
    outer.name = "OuterPlane"
    outer.data.materials.append(bpy.data.materials["InnerPlane-material"])
    save(os.path.join(libs, "outer.blend"))

    scene = fresh_scene(frames=(1, 2))
    with bpy.data.libraries.load(os.path.join(libs, "outer.blend"), link=True, relative=True) as (src, dst):
        dst.objects = ["OuterPlane"]
    for obj in dst.objects:
        scene.collection.objects.link(obj)
    save(os.path.join(project, "shot", "nested.blend"))


def absolute(shot):
    write_png(os.path.join(shot, "tex", "absolute.png"), (0.2, 0.7, 0.3))
    fresh_scene(frames=(1, 2))
    image = bpy.data.images.load(os.path.join(shot, "tex", "absolute.png"))
    emissive_plane("Absolute", image)
    path = os.path.join(shot, "absolute.blend")
    os.makedirs(shot, exist_ok=True)
    bpy.ops.wm.save_as_mainfile(filepath=path, relative_remap=False)
    image.filepath = os.path.join(shot, "tex", "absolute.png")  # stored absolute, as "Relative Path" off leaves it
    bpy.ops.wm.save_as_mainfile(filepath=path, relative_remap=False)


def linked_absolute(shot):
    """A library in the shot folder whose texture it names by an absolute path (Relative Path off)."""
    texture = os.path.join(shot, "tex", "linked-absolute.png")
    write_png(texture, (0.95, 0.6, 0.1))
    bpy.ops.wm.read_factory_settings(use_empty=True)
    image = bpy.data.images.load(texture)
    emissive_plane("LinkedAbsolute", image)
    bpy.data.objects["LinkedAbsolute"].use_fake_user = True
    library = os.path.join(shot, "props", "linked-absolute-lib.blend")
    os.makedirs(os.path.dirname(library), exist_ok=True)
    bpy.ops.wm.save_as_mainfile(filepath=library, relative_remap=False)
    image.filepath = texture
    bpy.ops.wm.save_as_mainfile(filepath=library, relative_remap=False)

    scene = fresh_scene(frames=(1, 2))
    with bpy.data.libraries.load(library, link=True, relative=True) as (src, dst):
        dst.objects = ["LinkedAbsolute"]
    for obj in dst.objects:
        scene.collection.objects.link(obj)
    save(os.path.join(shot, "linked-absolute.blend"))


def unbaked(shot):
    """A cube falling on a floor, its rigid body world never baked (as a scene usually starts)."""
    fresh_scene(frames=(1, 12))
    bpy.ops.mesh.primitive_plane_add(size=6, location=(0, 0, -1.2))
    bpy.ops.rigidbody.object_add(type="PASSIVE")
    bpy.ops.mesh.primitive_cube_add(size=0.6, location=(0, 0, 1.2))
    bpy.ops.rigidbody.object_add(type="ACTIVE")
    save(os.path.join(shot, "unbaked.blend"))


def hostile(root):
    home = os.path.join(root, "home")
    shot = os.path.join(root, "project", "shot")
    os.makedirs(os.path.join(home, ".ssh"), exist_ok=True)
    with open(os.path.join(home, ".ssh", "id_rsa"), "w") as f:
        f.write("-----BEGIN OPENSSH PRIVATE KEY----- not for teammates\n")
    with open(os.path.join(home, "notes.txt"), "w") as f:
        f.write("private notes\n")
    os.makedirs(shot, exist_ok=True)
    fifo = os.path.join(shot, "pipe.png")
    if not os.path.exists(fifo):
        os.mkfifo(fifo)
    link = os.path.join(shot, "linked")
    if not os.path.islink(link):
        os.symlink(home, link)
    fresh_scene()
    names = {
        "key": os.path.join(home, ".ssh", "id_rsa"),
        "notes": "//../../home/notes.txt",
        "environ": "/proc/self/environ",
        "zero": "/dev/zero",
        "fifo": "//pipe.png",
        "through-link": "//linked/notes.txt",
    }
    for name, path in names.items():
        image = bpy.data.images.new(name, 4, 4)
        image.source = "FILE"
        image.filepath = path
        image.use_fake_user = True
    bpy.ops.wm.save_as_mainfile(filepath=os.path.join(shot, "hostile.blend"), relative_remap=False)

    # One file outside the project, which the artist may approve.
    fresh_scene(frames=(1, 2))
    image = bpy.data.images.load(os.path.join(shot, "tex", "absolute.png"))
    emissive_plane("Plane", image)
    notes = bpy.data.images.new("notes", 4, 4)
    notes.source = "FILE"
    notes.filepath = "//../../home/notes.txt"
    notes.use_fake_user = True
    bpy.ops.wm.save_as_mainfile(filepath=os.path.join(shot, "outside.blend"), relative_remap=False)


def main():
    root = os.path.abspath(sys.argv[sys.argv.index("--") + 1])
    project = os.path.join(root, "project")
    shot = os.path.join(project, "shot")
    sequence(shot)
    udim(shot)
    particles(shot)
    nested(project)
    absolute(shot)
    linked_absolute(shot)
    unbaked(shot)
    layered_still(shot)  # layered-still.blend: view layers, passes, a compositor blur, a stamp, multilayer EXR
    hostile(root)


main()
