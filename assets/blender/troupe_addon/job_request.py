# The one place that decides what the add-on submits: the body of POST /api/jobs for engine
# "blender" (docs/protocol.md §10.1):
#   {"engine": "blender", "job": "render" | "bake", "scenePath": <the .blend, or a copy beside it>,
#    "name": <file name>, "blenderVersion": "3.4", "anyBlenderVersion": false,
#    "frameStart": 1, "frameEnd": 250, "frameStep": 1, "still": false,
#    "outputDir": <folder of the scene's output path>, "outputPattern": <the output path, absolute>,
#    "priority": 0}
# and "projectRoot" (the .blend's folder), set by the operator. A still sends its current frame as
# frameStart = frameEnd and "still": true. A bake sends no frames or output: the baked .blend comes
# back beside the original as <name>.baked.blend.

import os

import bpy


def build_job_request(job, scene, scene_copy, original_path, still=False):
    """The body to POST: `job` is 'render' or 'bake'; `scene_copy` the saved temporary copy."""
    name = os.path.splitext(os.path.basename(original_path))[0] if original_path else "untitled"
    body = {
        "engine": "blender",
        "job": job,
        "scenePath": scene_copy,
        "name": name[:64],
        "blenderVersion": "%d.%d" % bpy.app.version[:2],
        "anyBlenderVersion": False,
        "priority": 0,
    }
    if job == "bake":
        folder = os.path.dirname(original_path) if original_path else os.path.dirname(scene_copy)
        body["outputPath"] = os.path.join(folder, f"{name}.baked.blend")
        return body
    output = output_pattern(scene, original_path)
    first, last = (scene.frame_current, scene.frame_current) if still else (scene.frame_start, scene.frame_end)
    body.update(
        frameStart=first,
        frameEnd=last,
        frameStep=1 if still else scene.frame_step,
        still=still,
        outputDir=os.path.dirname(output),
        outputPattern=output,
    )
    return body


def output_pattern(scene, original_path):
    """The scene's output path made absolute against the designer's file (not the temporary copy)."""
    path = scene.render.filepath or "//"
    if path.startswith("//"):
        base = os.path.dirname(original_path) if original_path else bpy.app.tempdir
        path = os.path.join(base, path[2:])
    return os.path.normpath(os.path.abspath(path)) + (os.sep if path.endswith(("/", "\\")) else "")
