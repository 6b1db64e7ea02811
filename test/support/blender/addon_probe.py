# Run by test/integration/blender-engine.test.ts inside a headless Blender:
#   blender -b FILE.blend --factory-startup --python addon_probe.py -- ADDONS_DIR REPORT.json [--follow] HOME [HOME ...]
# Enables the add-on from ADDONS_DIR, checks that its operators and panel registered, then presses
# "Render on team" once per Troupe data folder HOME (each names an agent, or none); where the agent
# answered, clicks again while it reads the file, waits for the list of files, clicks again while
# it is shown, presses "Send to team", waits for the answer, clicks once more while its job runs,
# then polls the job once (with --follow: as the panel's timer would, until the job ends),
# and writes what happened to REPORT.json.

import json
import os
import sys
import time

import addon_utils
import bpy

addons_dir, report_path, *homes = sys.argv[sys.argv.index("--") + 1:]
follow = bool(homes) and homes[0] == "--follow"
if follow:
    homes = homes[1:]
sys.dont_write_bytecode = True  # no __pycache__ in the repo
sys.path.insert(0, addons_dir)
module = addon_utils.enable("troupe_addon", default_set=True)
report = {
    "enabled": module is not None,
    "registered": {name: hasattr(bpy.types, name) for name in ("TROUPE_OT_render_on_team", "TROUPE_OT_bake_on_team", "TROUPE_OT_send_listed", "TROUPE_PT_team")},
    "presses": [],
}
from troupe_addon import job_watch, submission  # noqa: E402  (importable once enabled)

for home in homes:
    os.environ["TROUPE_HOME"] = home
    press = {"home": home}
    try:
        press["result"] = sorted(bpy.ops.troupe.render_on_team(still=False))
    except RuntimeError as err:  # an ERROR report from an operator called from Python
        press["error"] = str(err)
    if press.get("result") == ["FINISHED"]:
        # A headless Blender runs no timers: look as the submission's timer would until it answered.
        press["whileChecking"] = dict(job_watch.state, team=None)
        press["secondClick"] = sorted(bpy.ops.troupe.render_on_team(still=False))
        deadline = time.monotonic() + 600
        while submission.poll() is not None and time.monotonic() < deadline:
            time.sleep(0.1)
        press["listed"] = dict(job_watch.state, team=None)
        press["clickWhileListed"] = sorted(bpy.ops.troupe.render_on_team(still=False)) if submission.listed() else None
        press["send"] = sorted(bpy.ops.troupe.send_listed()) if submission.listed() else None
        press["whileSending"] = dict(job_watch.state, team=None)
        while submission.poll() is not None and time.monotonic() < deadline:
            time.sleep(0.1)
        press["thirdClick"] = sorted(bpy.ops.troupe.render_on_team(still=False)) if job_watch.state["jobId"] else None
        press["nextPollS"] = job_watch.poll_job()
        deadline = time.monotonic() + 180
        while follow and press["nextPollS"] is not None and time.monotonic() < deadline:
            time.sleep(press["nextPollS"])  # a headless Blender runs no timers: wait as the timer would
            press["nextPollS"] = job_watch.poll_job()
        press["watch"] = {k: v for k, v in job_watch.state.items() if k != "team"}
    report["presses"].append(press)

with open(report_path, "w", encoding="utf-8") as f:
    json.dump(report, f)
