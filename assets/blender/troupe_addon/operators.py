# "Render on team" and "Bake on team": save a temporary copy of the open file (the designer's own
# file is untouched and may stay unsaved), check the agent and the team, submit, then follow.

import os
import tempfile

import bpy

from . import job_watch
from .agent_client import SUBMIT_TIMEOUT_S, AgentClient, AgentError, AgentUnavailable
from .job_request import build_job_request
from .team_readiness import team_problem


def save_temporary_copy():
    folder = tempfile.mkdtemp(prefix="troupe-")
    name = os.path.basename(bpy.data.filepath) or "untitled.blend"
    path = os.path.join(folder, name)
    # relative_remap keeps //relative paths pointing at the designer's files from the new place.
    bpy.ops.wm.save_as_mainfile(filepath=path, copy=True, relative_remap=True)
    return path


def submit(operator, context, job, still=False):
    try:
        client = AgentClient()
        team = client.call("GET", "/api/team")
        problem = team_problem(team)
        if problem:
            operator.report({"ERROR"}, problem)
            return {"CANCELLED"}
        copy = save_temporary_copy()
        body = build_job_request(job, context.scene, copy, bpy.data.filepath, still=still)
        answer = client.call("POST", "/api/jobs", body, timeout_s=SUBMIT_TIMEOUT_S)
    except (AgentUnavailable, AgentError) as err:
        operator.report({"ERROR"}, str(err))
        return {"CANCELLED"}
    job_watch.watch(answer["jobId"], team)
    operator.report({"INFO"}, f"Sent to your team as job {answer['jobId'][:8]}")
    return {"FINISHED"}


class TROUPE_OT_render_on_team(bpy.types.Operator):
    """Render this file's animation (or the current frame) on your Troupe team"""

    bl_idname = "troupe.render_on_team"
    bl_label = "Render on team"

    still: bpy.props.BoolProperty(name="Still", description="Render the current frame only", default=False)

    def execute(self, context):
        return submit(self, context, "render", still=self.still)


class TROUPE_OT_bake_on_team(bpy.types.Operator):
    """Bake this file's physics on a teammate; the baked file comes back beside yours"""

    bl_idname = "troupe.bake_on_team"
    bl_label = "Bake on team"

    def execute(self, context):
        return submit(self, context, "bake")


CLASSES = (TROUPE_OT_render_on_team, TROUPE_OT_bake_on_team)
