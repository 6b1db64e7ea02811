# What a .blend asks for by itself: frames, size, camera, engine, output. A job takes these as its
# defaults, so a designer's render settings are honoured unless the job overrides them.

import bpy

from .bake_commands import describe_cache, point_caches
from .denoising import denoising_in_use, has_open_image_denoise, uses_open_image_denoise
from .errors import CommandError


def session_facts():
    return {
        "blenderVersion": list(bpy.app.version),
        "blenderVersionString": bpy.app.version_string,
        "blendFile": bpy.data.filepath,
        "openImageDenoise": has_open_image_denoise(),
        # True when the file holds scripts (auto-run texts, Python drivers) that were not run.
        "scriptsBlocked": bool(getattr(bpy.app, "autoexec_fail", False)),
    }


def pick_scene(args):
    name = args.get("scene")
    if name is None:
        return bpy.context.scene
    scene = bpy.data.scenes.get(name)
    if scene is None:
        raise CommandError("bad-scene", f"The file has no scene named {name!r}.")
    return scene


def frame_size(scene):
    """The output size in pixels, as Blender computes it (integer percentage scaling)."""
    r = scene.render
    return r.resolution_x * r.resolution_percentage // 100, r.resolution_y * r.resolution_percentage // 100


def describe_scene(args, emit):
    scene = pick_scene(args)
    r = scene.render
    width, height = frame_size(scene)
    image = r.image_settings
    return {
        "scene": scene.name,
        "scenes": [s.name for s in bpy.data.scenes],
        "frameStart": scene.frame_start,
        "frameEnd": scene.frame_end,
        "frameStep": scene.frame_step,
        "fps": r.fps / r.fps_base,
        "width": width,
        "height": height,
        "resolutionPercentage": r.resolution_percentage,
        "camera": scene.camera.name if scene.camera else None,
        "engine": r.engine,
        "samples": scene.cycles.samples if r.engine == "CYCLES" else (scene.eevee.taa_render_samples if r.engine == "BLENDER_EEVEE" else None),
        "output": {
            "path": r.filepath,
            "absolutePath": bpy.path.abspath(r.filepath),
            "fileFormat": image.file_format,
            "colorMode": image.color_mode,
            "colorDepth": image.color_depth,
            "isMovie": r.is_movie_format,
            "fileExtension": r.file_extension,
            "useFileExtension": r.use_file_extension,
        },
        "denoising": denoising_in_use(scene),
        "usesOpenImageDenoise": uses_open_image_denoise(scene),
        "physicsCaches": [describe_cache(*cache) for cache in point_caches()],
    }
