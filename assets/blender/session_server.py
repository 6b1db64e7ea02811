# Troupe's kept-alive Blender session: Blender loads one .blend once, then this script serves
# commands until told to quit, so a worker pays start-up and scene loading once per job, not per
# task. Started by electron/agent/engines/blender/blender-session.ts as
#   blender -b --factory-startup --disable-autoexec -noaudio FILE.blend --python session_server.py
# Commands arrive on stdin, one JSON object a line: {"id": 1, "cmd": "render_frames", ...}.
# Answers leave on their own pipe (fd TROUPE_ANSWER_FD, default 3), one JSON object a line, so
# nothing Blender or the renderer prints on stdout can be taken for an answer:
#   {"id": 1, "event": "frame_done", ...}                 progress, any number
#   {"id": 1, "ok": true, "result": {...}}                 the end of a command
#   {"id": 1, "ok": false, "error": {"code", "message"}}   the end of a failed command
# and once, before any command: {"event": "ready", ...}.

import json
import os
import sys
import traceback

# The scripts may sit in a read-only install (or a repo checkout): never write __pycache__ beside them.
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from troupe_session import bake_commands, dependency_paths, devices, render_commands, scene_info, stitch_command  # noqa: E402
from troupe_session.errors import CommandError  # noqa: E402

COMMANDS = {
    "scene_info": scene_info.describe_scene,
    "render_frames": render_commands.render_frames,
    "render_region": render_commands.render_region,
    "dependencies": dependency_paths.list_dependencies,
    "remap_paths": dependency_paths.remap_paths,
    "bake": bake_commands.bake_all,
    "stitch": stitch_command.stitch_regions,
    "select_devices": devices.select_devices,
}


def open_answers():
    fd = int(os.environ.get("TROUPE_ANSWER_FD", "3"))
    return os.fdopen(fd, "w", encoding="utf-8", newline="\n")


def main():
    answers = open_answers()

    def send(message):
        # One write per line: the reader splits on newlines, and a line is never interleaved.
        answers.write(json.dumps(message, separators=(",", ":")) + "\n")
        answers.flush()

    send({"event": "ready", **scene_info.session_facts()})
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        try:
            request = json.loads(line)
        except ValueError as err:
            send({"id": None, "ok": False, "error": {"code": "bad-request", "message": f"not JSON: {err}"}})
            continue
        command_id = request.get("id")
        name = request.get("cmd")
        if name == "quit":
            send({"id": command_id, "ok": True, "result": {}})
            break
        handler = COMMANDS.get(name)
        if handler is None:
            send({"id": command_id, "ok": False, "error": {"code": "bad-request", "message": f"unknown command {name!r}"}})
            continue

        def emit(event, **fields):
            send({"id": command_id, "event": event, **fields})

        try:
            result = handler(request.get("args") or {}, emit)
            send({"id": command_id, "ok": True, "result": result})
        except CommandError as err:
            send({"id": command_id, "ok": False, "error": {"code": err.code, "message": str(err)}})
        except Exception as err:  # a bug or a bpy failure: the task fails, the session lives on
            traceback.print_exc()
            send({"id": command_id, "ok": False, "error": {"code": "internal", "message": f"{type(err).__name__}: {err}"}})
        sys.stdout.flush()
        sys.stderr.flush()


main()
