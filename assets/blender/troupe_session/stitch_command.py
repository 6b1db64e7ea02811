# Stitching a still's regions into the frame by rendering it again with an engine of our own that
# renders nothing: it loads each region's multilayer tile (every pass of every view layer) into its
# place in the render result. Everything after rendering is then Blender's own pipeline, run once
# on the whole frame as in a one-machine render: the compositor (a blur or glare sees across
# region edges), the burn-in stamp (once, not once per region), the view transform, and the
# output file's writer, multilayer OpenEXR included, layer by layer and pass by pass.
#
# Measured on Blender 3.4 (two view layers, Depth and Normal passes, a blur in the compositor):
# the stitched PNG's pixels and the multilayer file's every pass equal a one-piece render with
# dither 0; the files differ only in the metadata text Blender adds to a render (date, render time).

import os
from contextlib import ExitStack

import bpy

from .denoising import apply_denoising_policy, denoised_in_compositor
from .errors import CommandError
from .exr_header import ExrHeaderError, read_exr_header
from .overrides import image_setting_overrides, image_settings_overridden, temporarily
from .render_commands import denoise_settings, render_scene
from .scene_info import frame_size, pick_scene

STITCH_ENGINE_ID = "TROUPE_STITCH"

# What the engine loads during the one render it is used for (Blender creates the engine itself).
_tiles = []
_passes = []


class StitchEngine(bpy.types.RenderEngine):
    bl_idname = STITCH_ENGINE_ID
    bl_label = "Troupe stitch"
    bl_use_postprocess = True  # compositor, stamp and file writer: the reason this engine exists

    def render(self, depsgraph):
        layer = depsgraph.view_layer.name
        height = frame_size(depsgraph.scene)[1]
        for tile in _tiles:
            # Result rectangles start at the bottom row; regions count rows from the top.
            result = self.begin_result(tile["x"], height - (tile["y"] + tile["height"]), tile["width"], tile["height"], layer=layer)
            result.load_from_file(tile["path"])
            self.end_result(result)

    def update_render_passes(self, scene=None, renderlayer=None):
        # The stitched frame has the passes the regions were rendered with, so the compositor's
        # Render Layers node offers the same sockets as it would after the scene's own engine.
        for layer, name, channels in _passes:
            if layer == renderlayer.name:
                kind = "COLOR" if channels in ("RGBA", "RGB") else ("VALUE" if len(channels) == 1 else "VECTOR")
                self.register_pass(scene, renderlayer, name, len(channels), channels, kind)


def stitch_regions(args, emit):
    scene = pick_scene(args)
    width, height = frame_size(scene)
    tiles = args["tiles"]
    passes = None
    area = 0
    for tile in tiles:
        x, y, w, h = tile["x"], tile["y"], tile["width"], tile["height"]
        if min(w, h) < 1 or x < 0 or y < 0 or x + w > width or y + h > height:
            raise CommandError("bad-request", f"Region {w}x{h} at {x},{y} does not fit the {width}x{height} frame.")
        try:
            header = read_exr_header(tile["path"])
        except (OSError, ExrHeaderError) as err:
            raise CommandError("bad-request", f"Tile {tile['path']} cannot be read: {err}") from err
        if (header["width"], header["height"]) != (w, h):
            raise CommandError("bad-request", f"Tile {tile['path']} is {header['width']}x{header['height']}, not {w}x{h}.")
        if passes is None:
            passes = header["passes"]
        area += w * h
    _check_covered(tiles, width, height, area)
    if not passes:
        raise CommandError("bad-request", "The tiles hold no render passes (they are not multilayer OpenEXR files from render_region).")
    _ensure_registered()
    _tiles[:] = tiles
    _passes[:] = passes
    output = args["output"]
    r = scene.render
    policy = args.get("denoising", "scene")
    cycles_denoises = r.engine == "CYCLES" and scene.cycles.use_denoising and policy == "scene"
    try:
        if args.get("frame") is not None:
            scene.frame_set(int(args["frame"]))
        with ExitStack() as stack:
            stack.enter_context(denoise_settings(scene))
            if policy == "off":
                apply_denoising_policy(scene, "off")  # the compositor's own Denoise nodes too
            # Dither off: Blender dithers each render differently, so only undithered stills can be equal.
            stack.enter_context(temporarily(r, engine=STITCH_ENGINE_ID, filepath=output, use_file_extension=False, dither_intensity=0.0))
            stack.enter_context(image_settings_overridden(r.image_settings, **image_setting_overrides(args)))
            # After the switch to our engine: the Render Layers nodes now offer the tiles' passes.
            stack.enter_context(denoised_in_compositor(scene, cycles_denoises))
            os.makedirs(os.path.dirname(output) or ".", exist_ok=True)
            render_scene(scene, write_still=True)
    finally:
        _tiles.clear()
        _passes.clear()
    if not os.path.isfile(output):
        raise CommandError("render-failed", f"Blender wrote no stitched frame (expected {output}).")
    return {"path": output, "width": width, "height": height}


def _check_covered(tiles, width, height, area):
    """Regions must cover the frame exactly once: a gap would stay black, an overlap hides a gap."""
    spans = sorted((t["y"], t["x"], t["width"], t["height"]) for t in tiles)
    overlapping = any(
        a[0] < b[0] + b[3] and b[0] < a[0] + a[3] and a[1] < b[1] + b[2] and b[1] < a[1] + a[2]
        for i, a in enumerate(spans) for b in spans[i + 1:]
    )
    if overlapping or area != width * height:
        raise CommandError(
            "bad-request",
            f"The tiles do not cover the {width}x{height} frame exactly once ({area} pixels in {len(tiles)} tiles{', overlapping' if overlapping else ''}).",
        )


def _ensure_registered():
    if not StitchEngine.is_registered:
        bpy.utils.register_class(StitchEngine)
