# Stitching a still's regions into the frame with Blender itself: the regions are linear float
# (OpenEXR), so the view transform and the output file's encoder run once on the whole frame,
# through the same code a one-machine render's output goes through. Measured on Blender 3.4: the
# stitched PNG's image data (IDAT) is byte-identical to a one-piece render with dither 0; the
# files differ only in the metadata text Blender adds to a render (date, render time), which
# differs between any two renders anyway.

import bpy
import numpy

from .errors import CommandError
from .overrides import image_setting_overrides, temporarily
from .scene_info import frame_size, pick_scene


def stitch_regions(args, emit):
    scene = pick_scene(args)
    width, height = frame_size(scene)
    frame = numpy.zeros((height, width, 4), dtype=numpy.float32)
    covered = numpy.zeros((height, width), dtype=bool)
    for tile in args["tiles"]:
        x, y, w, h = tile["x"], tile["y"], tile["width"], tile["height"]
        image = bpy.data.images.load(tile["path"], check_existing=False)
        try:
            if tuple(image.size) != (w, h):
                raise CommandError("bad-request", f"Tile {tile['path']} is {image.size[0]}x{image.size[1]}, not {w}x{h}.")
            pixels = numpy.empty(w * h * 4, dtype=numpy.float32)
            image.pixels.foreach_get(pixels)
        finally:
            bpy.data.images.remove(image)
        # Blender's images start at the bottom row; regions count rows from the top.
        bottom = height - (y + h)
        frame[bottom:bottom + h, x:x + w] = pixels.reshape(h, w, 4)
        covered[bottom:bottom + h, x:x + w] = True
    if not covered.all():
        raise CommandError("bad-request", f"The tiles leave {int((~covered).sum())} pixels of the {width}x{height} frame uncovered.")
    stitched = bpy.data.images.new("troupe-stitched", width, height, alpha=True, float_buffer=True)
    try:
        stitched.pixels.foreach_set(frame.ravel())
        # Dither off: Blender dithers a frame saved from a whole render differently from the same
        # pixels saved from an image (up to 2/255), so only undithered stills can be equal.
        with temporarily(scene.render, dither_intensity=0.0), temporarily(scene.render.image_settings, **image_setting_overrides(args)):
            stitched.save_render(filepath=args["output"], scene=scene)
    finally:
        bpy.data.images.remove(stitched)
    return {"path": args["output"], "width": width, "height": height}
