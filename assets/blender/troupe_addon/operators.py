# "Render on team" and "Bake on team": check the agent and the team, then have the agent list what
# the saved file (or, with unsaved changes, a copy beside it: the designer's own file is untouched)
# would send, in the background; "Send to team" sends it and the panel follows the job. One job
# per file at a time: a second click shows the one under way.

import os
import shutil
import tempfile

import bpy

from . import job_watch, submission
from .agent_client import AgentClient, AgentError, AgentUnavailable
from .job_request import build_job_request
from .team_readiness import team_problem

# A copy of a file with unsaved changes sits in a folder beside the original, so its relative
# paths and Blender's default disk-cache folder stay inside the file's own project folder (a copy
# in /tmp named its textures `//../../home/...`, outside any project, and lost its caches).
UNSAVED_COPY_PREFIX = "troupe-unsaved-"


def scene_to_send():
    """(scene path, project folder, temporary folder or None): the saved file itself when it has no unsaved changes."""
    original = bpy.data.filepath
    if not original:
        raise AgentError("Save the file first: Troupe sends the files it uses from its folder, and a new file has none yet.")
    folder = os.path.dirname(original)
    if not bpy.data.is_dirty:
        return original, folder, None
    copy_folder = tempfile.mkdtemp(prefix=UNSAVED_COPY_PREFIX, dir=folder)
    path = os.path.join(copy_folder, os.path.basename(original))
    # relative_remap keeps //relative paths pointing at the designer's files from the new place.
    bpy.ops.wm.save_as_mainfile(filepath=path, copy=True, relative_remap=True)
    stem = os.path.splitext(os.path.basename(original))[0]
    cache = os.path.join(folder, f"blendcache_{stem}")
    if os.path.isdir(cache):  # the default disk cache is found beside the file Blender opens
        try:
            os.symlink(os.path.join("..", f"blendcache_{stem}"), os.path.join(copy_folder, f"blendcache_{stem}"))
        except OSError as err:  # Windows without the right to make links
            shutil.rmtree(copy_folder, ignore_errors=True)
            raise AgentError(f"Save the file first: its unsaved changes would be sent without its disk cache ({err.strerror}).") from err
    return path, folder, copy_folder


def submit(operator, context, job, still=False):
    original = bpy.data.filepath
    if submission.busy():
        operator.report({"INFO"}, f"Already sending {os.path.basename(submission.state['file'] or 'this file')} to your team; wait for it in the Troupe panel")
        return {"CANCELLED"}
    if submission.listed():
        operator.report({"INFO"}, "The Troupe panel lists what would be sent: press Send to team, or Cancel")
        return {"CANCELLED"}
    running = job_watch.running_for(original) if original else None
    if running:
        operator.report({"INFO"}, f"Your team is working on this file already (job {running[:8]}); follow it in the Troupe panel, or cancel it in Troupe to send it again")
        return {"CANCELLED"}
    try:
        client = AgentClient()
        team = client.call("GET", "/api/team")
        problem = team_problem(team)
        if problem:
            operator.report({"ERROR"}, problem)
            return {"CANCELLED"}
        path, project, copy_folder = scene_to_send()
        body = build_job_request(job, context.scene, path, original, still=still)
        body["projectRoot"] = project
    except (AgentUnavailable, AgentError) as err:
        operator.report({"ERROR"}, str(err))
        return {"CANCELLED"}
    submission.check(client, body, team, original, copy_folder)
    operator.report({"INFO"}, "Troupe reads the file and lists what it would send, in the Troupe panel")
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


class TROUPE_OT_send_listed(bpy.types.Operator):
    """Send the listed files to your team and start the job"""

    bl_idname = "troupe.send_listed"
    bl_label = "Send to team"

    @classmethod
    def poll(cls, context):
        return submission.listed()

    def execute(self, context):
        submission.send()
        self.report({"INFO"}, "Sending to your team")
        return {"FINISHED"}


class TROUPE_OT_cancel_listed(bpy.types.Operator):
    """Do not send these files"""

    bl_idname = "troupe.cancel_listed"
    bl_label = "Cancel"

    @classmethod
    def poll(cls, context):
        return submission.listed()

    def execute(self, context):
        submission.cancel()
        return {"FINISHED"}


CLASSES = (TROUPE_OT_render_on_team, TROUPE_OT_bake_on_team, TROUPE_OT_send_listed, TROUPE_OT_cancel_listed)
