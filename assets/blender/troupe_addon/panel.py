# The Troupe panel in Render properties: the buttons; the files a job would send, with their sizes,
# to send or not; then the job's progress and what each machine contributed.

import os

import bpy

from . import job_watch


class TROUPE_PT_team(bpy.types.Panel):
    bl_label = "Troupe"
    bl_space_type = "PROPERTIES"
    bl_region_type = "WINDOW"
    bl_context = "render"

    def draw(self, context):
        layout = self.layout
        row = layout.row(align=True)
        row.operator("troupe.render_on_team", text="Render on team", icon="RENDER_ANIMATION").still = False
        row.operator("troupe.render_on_team", text="Still", icon="RENDER_STILL").still = True
        layout.operator("troupe.bake_on_team", icon="PHYSICS")
        state = job_watch.state
        if state["state"] in ("checking", "listed", "sending", "not sent"):
            box = layout.box()
            name = os.path.basename(state["file"] or "")
            if state["state"] == "checking":
                box.label(text=f"Reading {name}: which files it uses", icon="SORTTIME")
            elif state["state"] == "listed":
                draw_listed(box, name, state)
            elif state["state"] == "sending":
                box.label(text=f"Sending {name}: Troupe stores it and the files it uses", icon="SORTTIME")
            else:
                box.label(text=f"{name} was not sent", icon="ERROR")
                box.label(text=state["message"] or "")
            return
        if not state["jobId"]:
            return
        box = layout.box()
        box.label(text=f"Job {state['jobId'][:8]}: {state['state']}, {state['done']}/{state['total']} tasks")
        for name, tasks, seconds in state["machines"]:
            box.label(text=f"{name}: {tasks} tasks, {seconds:.0f} s", icon="DESKTOP")
        if state["message"]:
            box.label(text=state["message"], icon="ERROR")


# The panel is narrow: the largest files, then a count of the rest.
LISTED_FILES_SHOWN = 8


def size_text(size):
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}"
    return f"{size} B"


def draw_listed(box, name, state):
    files = sorted(state["files"], key=lambda f: -f["sizeBytes"])
    box.label(text=f"{name} sends {len(files)} file{'s' if len(files) != 1 else ''}, {size_text(state['totalBytes'])}:", icon="FILE_FOLDER")
    column = box.column(align=True)
    for f in files[:LISTED_FILES_SHOWN]:
        column.label(text=f"{f['name']}   {size_text(f['sizeBytes'])}")
    if len(files) > LISTED_FILES_SHOWN:
        rest = files[LISTED_FILES_SHOWN:]
        column.label(text=f"and {len(rest)} more, {size_text(sum(f['sizeBytes'] for f in rest))}")
    for warning in state["warnings"][:3]:
        box.label(text=warning, icon="ERROR")
    row = box.row(align=True)
    row.operator("troupe.send_listed", icon="EXPORT")
    row.operator("troupe.cancel_listed", icon="X")


CLASSES = (TROUPE_PT_team,)
