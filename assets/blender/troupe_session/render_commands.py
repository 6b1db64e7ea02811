# Rendering: whole frames to the scene's (or the job's) output pattern, and one region of a still,
# written losslessly so the stitched frame equals a one-machine render.

import os
from contextlib import ExitStack

import bpy

from .denoising import apply_denoising_policy, stored_denoising_passes
from .errors import CommandError
from .exr_header import read_exr_header
from .overrides import image_setting_overrides, image_settings_overridden, temporarily
from .scene_info import frame_size, pick_scene

# Regions are kept as they leave the render engine: every pass of every view layer, linear 32-bit
# float. The compositor, stamp, view transform, dither and file encoding happen once, on the
# stitched frame (stitch_command.py), exactly as they would on a frame rendered in one piece.
TILE_FORMAT = {"file_format": "OPEN_EXR_MULTILAYER", "color_depth": "32", "exr_codec": "ZIP"}
PREVIEW_FORMAT = {"file_format": "PNG", "color_mode": "RGBA", "color_depth": "8", "compression": 15}


def _check_renderable(scene):
    if scene.camera is None:
        raise CommandError("bad-scene", f"Scene {scene.name!r} has no active camera, so there is nothing to render.")


def render_scene(scene, write_still):
    try:
        result = bpy.ops.render.render(write_still=write_still, scene=scene.name)
    except RuntimeError as err:  # Blender turns the render's error report into this
        raise CommandError("render-failed", str(err).strip()) from err
    if "FINISHED" not in result:
        raise CommandError("render-failed", f"Blender did not finish the render ({', '.join(result)}).")


def render_frames(args, emit):
    scene = pick_scene(args)
    _check_renderable(scene)
    frames = [int(f) for f in args["frames"]]
    r = scene.render
    with ExitStack() as stack:
        if args.get("output"):
            stack.enter_context(temporarily(r, filepath=args["output"]))
        if args.get("ditherIntensity") is not None:
            stack.enter_context(temporarily(r, dither_intensity=float(args["ditherIntensity"])))
        stack.enter_context(image_settings_overridden(r.image_settings, **image_setting_overrides(args)))
        if r.is_movie_format:
            raise CommandError(
                "movie-output",
                f"The scene writes a movie ({r.image_settings.file_format}); a team renders frames on "
                "several machines, so choose an image sequence (PNG, OpenEXR, ...) as the output.",
            )
        stack.enter_context(denoise_settings(scene))
        warnings = apply_denoising_policy(scene, args.get("denoising", "scene"))
        written = []
        for frame in frames:
            # A still's write ignores the pattern's #### (it writes "frame_####.png"): give it the
            # frame's own name, as an animation render would have made it.
            path = bpy.path.abspath(r.frame_path(frame=frame))
            scene.frame_set(frame)
            with temporarily(r, filepath=path, use_file_extension=False):
                render_scene(scene, write_still=True)
            if not os.path.isfile(path):
                raise CommandError("render-failed", f"Blender wrote no image for frame {frame} (expected {path}).")
            written.append({"frame": frame, "path": path})
            emit("frame_done", frame=frame, path=path)
    return {"frames": written, "warnings": warnings}


def region_border(region, width, height):
    """Blender's border (fractions, origin bottom left) for a region in pixels (origin top left).

    Blender turns a border into pixels by truncating fraction * size, so each edge is nudged a
    quarter pixel inwards of the next pixel: truncation and rounding both land on the intended one.
    """
    x, y, w, h = region["x"], region["y"], region["width"], region["height"]
    if min(w, h) < 1 or x < 0 or y < 0 or x + w > width or y + h > height:
        raise CommandError("bad-request", f"Region {w}x{h} at {x},{y} does not fit the {width}x{height} frame.")
    bottom = height - (y + h)
    return {
        "border_min_x": (x + 0.25) / width,
        "border_max_x": min(1.0, (x + w + 0.25) / width),
        "border_min_y": (bottom + 0.25) / height,
        "border_max_y": min(1.0, (bottom + h + 0.25) / height),
    }


def render_region(args, emit):
    scene = pick_scene(args)
    _check_renderable(scene)
    width, height = frame_size(scene)
    region = args["region"]
    border = region_border(region, width, height)
    output = args["output"]
    r = scene.render
    with ExitStack() as stack:
        stack.enter_context(
            temporarily(r, use_border=True, use_crop_to_border=True, dither_intensity=0.0, use_compositing=False, use_stamp=False, **border)
        )
        stack.enter_context(image_settings_overridden(r.image_settings, **TILE_FORMAT))
        stack.enter_context(denoise_settings(scene))
        # Denoising a region alone sees no pixels past its edge: its seams would show in the frame.
        # With args["denoise"] the region carries the denoising passes, and the stitch denoises.
        if args.get("denoise"):
            stack.enter_context(stored_denoising_passes(scene))
        warnings = apply_denoising_policy(scene, "off", why_off="a denoiser run on one region at a time leaves seams")
        # Cycles' adaptive sampling stops a pixel early when it and its neighbours look converged; the
        # neighbours past a region's edge are missing, so pixels up to a few rows in get other sample
        # counts than in a one-piece render (measured on 3.4: 256 samples, 9-row regions). Every pixel
        # gets the scene's full sample count instead, the same in every region.
        if scene.render.engine == "CYCLES" and scene.cycles.use_adaptive_sampling:
            stack.enter_context(temporarily(scene.cycles, use_adaptive_sampling=False))
            warnings.append(
                "Adaptive sampling is off for regions: a region alone would judge convergence differently "
                "near its edges, so every pixel gets the scene's full sample count."
            )
        scene.frame_set(int(args.get("frame", scene.frame_current)))
        render_scene(scene, write_still=False)
        result = bpy.data.images["Render Result"]
        os.makedirs(os.path.dirname(output) or ".", exist_ok=True)
        result.save_render(filepath=output, scene=scene)
        # The app shows a region as it arrives; it cannot read the EXR. An 8-bit PNG saved here goes
        # through the scene's view transform, so the assembling frame looks as the stitched one will.
        # It is only a picture for the app: a region whose preview cannot be saved still stands.
        if args.get("preview"):
            try:
                with image_settings_overridden(r.image_settings, **PREVIEW_FORMAT):
                    result.save_render(filepath=args["preview"], scene=scene)
            except (RuntimeError, OSError) as err:
                warnings.append(f"No preview of the region could be saved ({err}); the app shows it once stitched.")
    size = _saved_size(output)
    if size != (region["width"], region["height"]):
        raise CommandError("render-failed", f"The region came out {size[0]}x{size[1]}, not {region['width']}x{region['height']}.")
    return {"path": output, "region": region, "frameWidth": width, "frameHeight": height, "warnings": warnings}


def _saved_size(path):
    header = read_exr_header(path)
    return header["width"], header["height"]


class denoise_settings:
    """Restores the scene's denoising switches after a command that may have turned them off."""

    def __init__(self, scene):
        self.scene = scene

    def __enter__(self):
        s = self.scene
        self.cycles = s.cycles.use_denoising if s.render.engine == "CYCLES" else None
        tree = s.node_tree if s.use_nodes else None
        self.nodes = [(n, n.mute) for n in tree.nodes if n.bl_idname == "CompositorNodeDenoise"] if tree else []
        return self

    def __exit__(self, *exc):
        if self.cycles is not None:
            self.scene.cycles.use_denoising = self.cycles
        for node, mute in self.nodes:
            node.mute = mute
        return False
