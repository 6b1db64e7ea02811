# The Troupe panel in Render properties: the two buttons, then the job's progress and what each
# machine contributed.

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
        if state["state"] in ("sending", "not sent"):
            box = layout.box()
            name = os.path.basename(state["file"] or "")
            if state["state"] == "sending":
                box.label(text=f"Sending {name}: Troupe reads it and the files it uses", icon="SORTTIME")
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


CLASSES = (TROUPE_PT_team,)
