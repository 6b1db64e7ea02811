# Sending a job, on a thread of its own, in two steps the artist sees: first the agent lists what
# the job would send (it reads the .blend and checks every file it uses: POST /api/jobs/preview),
# and the panel shows the files with their sizes; then "Send to team" sends it (POST /api/jobs:
# read again, stored, the job made). Either step can take minutes for a large project on a busy
# machine; Blender's UI must neither freeze nor give up meanwhile (a give-up after a few seconds
# said "Troupe isn't running" while the job was being made, and a second click made a second job).
# One submission at a time: the operators ask `busy()` and `listed()` first. A timer (`poll`)
# hands each answer on.
#
#   idle --check()--> checking --listed--> listed --send()--> sending --answer--> idle (job_watch follows the job)
#                        |                   |                   '--refused--> idle (words in the panel)
#                        '--refused--> idle  '--cancel()--> idle
#   (the temporary copy of an unsaved file is removed whenever the state returns to idle)

import shutil
import threading

import bpy

from . import job_watch
from .agent_client import AgentError, AgentUnavailable

# Only catches an agent that hangs: reading and storing a project can take this long, and no less.
SUBMIT_HANG_S = 3600.0
POLL_INTERVAL_S = 0.5

state = {"step": "idle", "file": None, "answer": None, "error": None, "copy": None, "team": None, "body": None, "client": None, "thread": None}
_lock = threading.Lock()


def busy():
    """Waiting on the agent (checking or sending)."""
    return state["step"] in ("checking", "sending")


def listed():
    """The files are shown; the artist has not sent or cancelled yet."""
    return state["step"] == "listed"


def check(client, body, team, original_file, copy_folder):
    """Asks the agent what `body` would send; the panel lists it once answered."""
    state.update(step="checking", file=original_file, copy=copy_folder, team=team, body=body, client=client)
    job_watch.checking(original_file)
    _in_background("POST", "/api/jobs/preview")


def send():
    """Sends the listed job."""
    if state["step"] != "listed":
        return
    state["step"] = "sending"
    job_watch.sending(state["file"])
    _in_background("POST", "/api/jobs")


def cancel():
    if state["step"] == "listed":
        job_watch.failed_to_send(state["file"], "Not sent, as you chose.")
        _finish()


def _in_background(method, path):
    state.update(answer=None, error=None)
    client, body = state["client"], state["body"]

    def call():
        try:
            answer = client.call(method, path, body, timeout_s=SUBMIT_HANG_S)
            with _lock:
                state["answer"] = answer
        except (AgentUnavailable, AgentError) as err:
            with _lock:
                state["error"] = str(err)
        except Exception as err:  # noqa: BLE001 - whatever it was, the panel must say it, not hang
            with _lock:
                state["error"] = f"Sending the job failed: {err}"

    thread = threading.Thread(target=call, name="troupe-submit", daemon=True)
    state["thread"] = thread
    thread.start()
    if not bpy.app.background and not bpy.app.timers.is_registered(poll):
        bpy.app.timers.register(poll, first_interval=POLL_INTERVAL_S)


def poll():
    """Blender's timer: None once the answer is handed on, else the delay to the next look."""
    thread = state.get("thread")
    if thread is None:
        return None
    if thread.is_alive():
        return POLL_INTERVAL_S
    with _lock:
        answer, error = state["answer"], state["error"]
    state["thread"] = None
    if error is not None or answer is None:
        job_watch.failed_to_send(state["file"], error or "The agent gave no answer.")
        _finish()
    elif state["step"] == "checking":
        state["step"] = "listed"
        job_watch.listed(state["file"], answer.get("files", []), answer.get("totalBytes", 0), answer.get("warnings", []))
    else:
        job_watch.watch(answer["jobId"], state["team"], state["file"])
        _finish()
    return None


def _finish():
    if state["copy"]:
        shutil.rmtree(state["copy"], ignore_errors=True)
    state.update(step="idle", copy=None, body=None, client=None, thread=None)
