# Installs Troupe's add-on into this user's Blender and enables it, as the app's "Install the
# Blender add-on" button (and `troupe blender-addon`) asks:
#   blender -b --disable-autoexec -noaudio --python install_addon.py -- ADDON_DIR RESULT.json
# Not --factory-startup: the user's own preferences must load, or saving them would replace the
# owner's settings with the factory ones. The add-on folder is copied (not linked) into Blender's
# user add-ons folder, so it keeps working when Troupe moves or updates.

import json
import os
import shutil
import sys

import addon_utils
import bpy

source, result_path = sys.argv[sys.argv.index("--") + 1:][:2]
result = {"ok": False}
try:
    addons = bpy.utils.user_resource("SCRIPTS", path="addons", create=True)
    target = os.path.join(addons, "troupe_addon")
    shutil.copytree(source, target, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__"))
    # A user add-ons folder made just now is not on sys.path yet: enabling would not find the module.
    bpy.utils.refresh_script_paths()
    addon_utils.modules_refresh()
    failures = []
    module = addon_utils.enable("troupe_addon", default_set=True, persistent=True, handle_error=failures.append)
    if module is None:
        raise RuntimeError(f"Blender could not enable the add-on: {failures[0] if failures else 'no reason given'}")
    bpy.ops.wm.save_userpref()
    result = {"ok": True, "installedTo": target, "blenderVersion": bpy.app.version_string}
except Exception as err:  # reported to the user as it is: a full disk, a read-only profile
    result = {"ok": False, "error": f"{type(err).__name__}: {err}"}
with open(result_path, "w", encoding="utf-8") as f:
    json.dump(result, f)
