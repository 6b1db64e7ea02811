# Sending a job, on a thread of its own: the agent reads the .blend and stores every file it uses
# before it answers, which for a large project on a busy machine takes minutes. Blender's UI must
# neither freeze nor give up meanwhile (a give-up after a few seconds said "Troupe isn't running"
# while the job was being made, and a second click made a second job). One submission at a time:
# the operator asks `busy()` first. A timer (`poll`) hands the answer to the job watcher.
#
#   idle --start()--> sending --thread ends--> finished --poll()--> idle
#                                                 (answer to job_watch, temporary copy removed)

import shutil
import threading

import bpy

from . import job_watch
from .agent_client import AgentError, AgentUnavailable

# Only catches an agent that hangs: reading and storing a project can take this long, and no less.
SUBMIT_HANG_S = 3600.0
POLL_INTERVAL_S = 0.5

state = {"sending": False, "file": None, "answer": None, "error": None, "copy": None, "team": None}
_lock = threading.Lock()


def busy():
    return state["sending"]


def start(client, body, team, original_file, copy_folder):
    """Sends `body` in the background; `copy_folder` (a temporary copy of the file) is removed once the agent answered."""
    state.update(sending=True, file=original_file, answer=None, error=None, copy=copy_folder, team=team)
    job_watch.sending(original_file)

    def send():
        try:
            answer = client.call("POST", "/api/jobs", body, timeout_s=SUBMIT_HANG_S)
            with _lock:
                state["answer"] = answer
        except (AgentUnavailable, AgentError) as err:
            with _lock:
                state["error"] = str(err)
        except Exception as err:  # noqa: BLE001 - whatever it was, the panel must say it, not hang
            with _lock:
                state["error"] = f"Sending the job failed: {err}"

    thread = threading.Thread(target=send, name="troupe-submit", daemon=True)
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
    if state["copy"]:
        shutil.rmtree(state["copy"], ignore_errors=True)
    state.update(sending=False, thread=None, copy=None)
    if answer is not None:
        job_watch.watch(answer["jobId"], state["team"], state["file"])
    else:
        job_watch.failed_to_send(state["file"], error)
    return None
