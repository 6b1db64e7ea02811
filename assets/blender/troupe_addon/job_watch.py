# Follows the submitted job from Blender's UI: a timer polls GET /api/jobs/<id> (Blender's UI has
# no other way to wait without freezing) and keeps what the panel shows.

import bpy

from .agent_client import AgentClient, AgentError, AgentUnavailable
from .team_readiness import contributions

POLL_INTERVAL_S = 2.0
FINISHED = {"done", "failed", "cancelled"}

# What the panel draws; one job at a time per Blender window.
state = {"jobId": None, "state": None, "done": 0, "total": 0, "machines": [], "message": None, "team": None, "file": None, "files": [], "totalBytes": 0, "warnings": []}


def checking(file):
    """While the agent reads the file and lists what it uses (submission.py)."""
    state.update(jobId=None, state="checking", done=0, total=0, machines=[], message=None, file=file, files=[], totalBytes=0, warnings=[])
    _redraw()


def listed(file, files, total_bytes, warnings):
    """What the job would send, for the artist to send or not."""
    state.update(jobId=None, state="listed", file=file, files=files, totalBytes=total_bytes, warnings=warnings)
    _redraw()


def sending(file):
    """While the agent reads the file and stores what it uses (submission.py)."""
    state.update(jobId=None, state="sending", done=0, total=0, machines=[], message=None, file=file)
    _redraw()


def failed_to_send(file, message):
    state.update(jobId=None, state="not sent", message=message, file=file)
    _redraw()


def running_for(file):
    """The job of this file the panel follows, while it is not finished; else None."""
    if state["file"] == file and state["jobId"] and state["state"] not in FINISHED:
        return state["jobId"]
    return None


def watch(job_id, team, file=None):
    state.update(jobId=job_id, state="queued", done=0, total=0, machines=[], message=None, team=team, file=file)
    if not bpy.app.background and not bpy.app.timers.is_registered(poll_job):
        bpy.app.timers.register(poll_job, first_interval=POLL_INTERVAL_S)


def poll_job():
    """One poll; returns the delay to the next one, or None to stop (Blender's timer contract)."""
    if not state["jobId"]:
        return None
    try:
        detail = AgentClient().call("GET", f"/api/jobs/{state['jobId']}")
    except (AgentUnavailable, AgentError) as err:
        state["message"] = str(err)
        _redraw()
        return POLL_INTERVAL_S * 2
    job = detail["job"]
    state.update(state=job["state"], done=job["tasksDone"], total=job["tasksTotal"], machines=contributions(detail, state["team"]))
    state["message"] = "; ".join(job.get("errors") or []) or None
    _redraw()
    return None if job["state"] in FINISHED else POLL_INTERVAL_S


def _redraw():
    if bpy.app.background:
        return
    for window in getattr(bpy.context.window_manager, "windows", []):
        for area in window.screen.areas:
            if area.type == "PROPERTIES":
                area.tag_redraw()
