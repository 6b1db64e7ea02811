# Troupe's Blender add-on: "Render on team" and "Bake on team" in Render properties, sent to the
# Troupe agent running on this computer, which spreads the work over the designer's team.
# Install: Edit > Preferences > Add-ons > Install..., pick the troupe_addon folder zipped (or copy
# the folder into Blender's scripts/addons), then enable "Render: Troupe".

bl_info = {
    "name": "Troupe",
    "author": "Troupe contributors",
    "version": (0, 1, 0),
    "blender": (3, 0, 0),
    "location": "Properties > Render > Troupe",
    "description": "Render and bake on the computers of your Troupe team",
    "category": "Render",
}

import bpy  # noqa: E402

from . import job_watch, operators, panel, submission  # noqa: E402

CLASSES = operators.CLASSES + panel.CLASSES


def register():
    for cls in CLASSES:
        bpy.utils.register_class(cls)


def unregister():
    for timer in (job_watch.poll_job, submission.poll):
        if bpy.app.timers.is_registered(timer):
            bpy.app.timers.unregister(timer)
    for cls in reversed(CLASSES):
        bpy.utils.unregister_class(cls)
