# Every file a .blend needs besides itself, found by Blender (so nothing is guessed from bytes),
# and the relocation of those paths to where a worker keeps its copies. A teammate's machine has
# no shared folder and may run another OS: each path is pointed at a content-addressed copy.
#
# What is traced (docs/research/blender-dependencies.md has the facts and sources; Blender Asset
# Tracer is the anchor): libraries and libraries of libraries (each path relative to the file that
# holds it), images including every frame a sequence's users show and every UDIM tile, movie clips,
# fonts, sounds, volumes and cache files (sequences too), external OSL scripts and IES files,
# point caches of particles, cloth, soft body and dynamic paint (Blender's default
# blendcache_<name> folder when the path is empty), and fluid cache folders with their subfolders.
# Blender's own list (bpy.utils.blend_paths) catches owners this walk does not know; what it alone
# reports is shipped when it is a file and never refuses a job, since it over-reports.
#
# Nothing here decides what may leave the machine: the agent checks every listed file (inside
# the project, a regular file, not a device) before any is read.

import os
import re

import bpy

from .errors import CommandError
from .output_paths import contain_file_outputs

# Datablock collections whose items carry a `filepath` to an external file, by the kind reported.
FILE_OWNERS = (
    ("library", "libraries"),
    ("image", "images"),
    ("font", "fonts"),
    ("sound", "sounds"),
    ("movie-clip", "movieclips"),
    ("volume", "volumes"),
    ("cache-file", "cache_files"),
)

# A folder holds at most this many files we list (a cache of 10 000 frames is already large).
MAX_FILES_PER_FOLDER = 100_000


def _posix(path):
    """A path as Blender opens it here: a Windows-authored `C:\\a\\b` is `/c/a/b` on Linux and macOS."""
    if os.sep == "/":
        path = path.replace("\\", "/")
        if re.match(r"^[A-Za-z]:/", path):
            path = "/" + path[0].lower() + path[2:]
    return path


def _absolute(path, library=None):
    return os.path.normpath(_posix(bpy.path.abspath(path, library=library)))


def _owner_file(library):
    """The .blend a datablock's relative paths are relative to."""
    return _absolute(library.filepath) if library is not None else bpy.data.filepath


# ---- sequences and tiles ----

_LAST_DIGITS = re.compile(r"^(.*?)(\d+)(\D*)$")


def _sequence_parts(path):
    """(folder, head, width, tail) of a numbered file name, or None when it has no number."""
    folder, name = os.path.split(path)
    stem, ext = os.path.splitext(name)
    m = _LAST_DIGITS.match(stem)
    if not m:
        return None
    return folder, m.group(1), len(m.group(2)), m.group(3) + ext


def _numbered(path, number):
    parts = _sequence_parts(path)
    if parts is None:
        return path
    folder, head, width, tail = parts
    return os.path.join(folder, f"{head}{number:0{width}d}{tail}")


def _all_numbered(path):
    """Every file beside `path` named like it with another number (BAT's way: never misses a frame)."""
    parts = _sequence_parts(path)
    if parts is None:
        return [path] if os.path.lexists(path) else []
    folder, head, _, tail = parts
    pattern = re.compile(re.escape(head) + r"\d+" + re.escape(tail) + "$")
    try:
        names = os.listdir(folder)
    except OSError:
        return []
    return sorted(os.path.join(folder, n) for n in names if pattern.match(n))[:MAX_FILES_PER_FOLDER]


def _node_trees():
    """(owner, node tree) for every node tree of the file: materials, worlds, lights, node groups, compositors."""
    for collection in (bpy.data.materials, bpy.data.worlds, bpy.data.lights, bpy.data.scenes):
        for owner in collection:
            if getattr(owner, "node_tree", None):
                yield owner, owner.node_tree
    for group in bpy.data.node_groups:
        yield group, group


def _external_nodes():
    """(owner, node) for each shader node that reads a file of its own: external OSL scripts and IES files."""
    for owner, tree in _node_trees():
        for node in tree.nodes:
            if node.bl_idname in ("ShaderNodeScript", "ShaderNodeTexIES") and node.mode == "EXTERNAL" and node.filepath:
                yield owner, node


def _node_kind(node):
    return "osl-script" if node.bl_idname == "ShaderNodeScript" else "ies"


def _image_users(image):
    """Every ImageUser that shows `image`: image texture and environment nodes, textures, camera backgrounds, image empties."""
    for _, tree in _node_trees():
        for node in tree.nodes:
            if getattr(node, "image", None) == image and getattr(node, "image_user", None) is not None:
                yield node.image_user
    for tex in bpy.data.textures:
        if getattr(tex, "image", None) == image:
            yield tex.image_user
    for cam in bpy.data.cameras:
        for bg in cam.background_images:
            if bg.image == image:
                yield bg.image_user
    for obj in bpy.data.objects:
        if obj.type == "EMPTY" and obj.data == image:
            yield obj.image_user


def _sequence_number(user, frame):
    """The file number an ImageUser shows at a scene frame (Blender's BKE_image_user_frame_get)."""
    length = user.frame_duration
    if length == 0:
        return None
    n = frame - user.frame_start + 1
    if user.use_cyclic:
        n %= length
        if n == 0:
            n = length
    n = max(0, min(length, n))
    return n + user.frame_offset


def _sequence_files(image, path, frames):
    """(files, missing) of an image sequence for these scene frames; every numbered file when no user says."""
    users = list(_image_users(image))
    numbers = {n for u in users for f in frames for n in [_sequence_number(u, f)] if n is not None}
    if not numbers:
        return _all_numbered(path), []
    wanted = sorted({_numbered(path, n) for n in numbers})
    return [p for p in wanted if os.path.lexists(p)], [p for p in wanted if not os.path.lexists(p)]


def _tile_path(path, number):
    if "<UDIM>" in path:
        return path.replace("<UDIM>", str(number))
    if "<UVTILE>" in path:
        u, v = (number - 1001) % 10 + 1, (number - 1001) // 10 + 1
        return path.replace("<UVTILE>", f"u{u}_v{v}")
    return _numbered(path, number)  # a UDIM image from before the tokens (2.8x): the name holds 1001


def _tile_files(image, path):
    wanted = [_tile_path(path, t.number) for t in image.tiles]
    return [p for p in wanted if os.path.lexists(p)], [p for p in wanted if not os.path.lexists(p)]


# ---- the walk ----

def _entry(kind, name, library, stored, path, files=None, missing=None, folder=False, optional=False):
    if files is None:
        exists = os.path.lexists(path)
        files, missing = ([path], []) if exists else ([], [path])
    return {
        "kind": kind,
        "name": name,
        "viaLibrary": library.name if library is not None else None,
        "storedPath": stored,
        "absolutePath": path,
        "folder": folder,
        "files": files,
        "missing": missing or [],
        "optional": optional,
    }


def _external_files(frames):
    for kind, collection in FILE_OWNERS:
        for block in getattr(bpy.data, collection):
            stored = block.filepath
            if not stored or stored == "<builtin>" or getattr(block, "packed_file", None) is not None:
                continue
            path = _absolute(stored, block.library)
            if kind == "image":
                if block.source not in {"FILE", "SEQUENCE", "MOVIE", "TILED"} or len(getattr(block, "packed_files", [])) > 0:
                    continue
                if block.source == "SEQUENCE":
                    files, missing = _sequence_files(block, path, frames)
                    yield _entry(kind, block.name, block.library, stored, path, files, missing)
                    continue
                if block.source == "TILED":
                    files, missing = _tile_files(block, path)
                    yield _entry(kind, block.name, block.library, stored, path, files, missing)
                    continue
            sequence = (kind == "movie-clip" and block.source == "SEQUENCE") or (
                kind in ("volume", "cache-file") and getattr(block, "is_sequence", False))
            if sequence:
                files = _all_numbered(path)
                yield _entry(kind, block.name, block.library, stored, path, files, [] if files else [path])
                continue
            yield _entry(kind, block.name, block.library, stored, path)


def _script_files():
    """External OSL scripts and IES files of shader nodes (INTERNAL ones live in a text block)."""
    for owner, node in _external_nodes():
        yield _entry(_node_kind(node), f"{owner.name}/{node.name}", owner.library, node.filepath, _absolute(node.filepath, owner.library))


def _object_point_caches(obj):
    for modifier in obj.modifiers:
        cache = getattr(modifier, "point_cache", None)
        if cache is not None:
            yield f"{obj.name}/{modifier.name}", cache
        if modifier.type == "DYNAMIC_PAINT" and modifier.canvas_settings is not None:
            for surface in modifier.canvas_settings.canvas_surfaces:
                yield f"{obj.name}/{modifier.name}/{surface.name}", surface.point_cache
    for system in getattr(obj, "particle_systems", []):
        yield f"{obj.name}/{system.name}", system.point_cache


def _hex_name(name):
    # Blender prints each char of the ID name as (unsigned)(char) in %02X: a byte above 127 is
    # sign-extended on the platforms Blender ships for.
    return "".join(f"{b:02X}" if b < 128 else f"FFFFFF{b:02X}" for b in name.encode("utf-8"))


def _point_cache_files(folder, prefix, index, external):
    if external and index < 0:
        pattern = re.compile(re.escape(prefix) + r"_\d+\.bphys$")
    else:
        pattern = re.compile(re.escape(prefix) + r"_\d+_" + f"{max(index, 0):02d}" + r"\.bphys$")
    try:
        names = os.listdir(folder)
    except OSError:
        return []
    return sorted(os.path.join(folder, n) for n in names if pattern.match(n))[:MAX_FILES_PER_FOLDER]


def _folder_files(folder):
    """Every file under a folder, at any depth, without following links (the agent checks each)."""
    found = []
    for root, dirs, files in os.walk(folder, followlinks=False):
        # A link to a folder is listed like a file: the agent refuses it, it is never walked.
        found += [os.path.join(root, n) for n in files + [d for d in dirs if os.path.islink(os.path.join(root, d))]]
        if len(found) >= MAX_FILES_PER_FOLDER:
            break
    return sorted(found)[:MAX_FILES_PER_FOLDER]


def _unbaked(owner):
    main = os.path.basename(bpy.data.filepath) or "the file"
    baked = os.path.splitext(main)[0] + ".baked.blend"
    return (f"{owner} is a simulation that is not baked: each machine simulates it from the start frame by itself, "
            f"so frames may differ slightly from one machine's render. For identical frames, bake it first on the team "
            f"(troupe bake {main}, or Bake on team in Blender), then render {baked}.")


def _caches(warnings):
    """Disk caches (point caches, fluid) as folders of files, and a warning for each unbaked simulation."""
    # A rigid body world keeps its cache in the .blend (it travels with it once baked).
    world = bpy.context.scene.rigidbody_world
    if world is not None and world.enabled and world.collection is not None and world.point_cache is not None and not world.point_cache.is_baked:
        warnings.append(_unbaked(f"{bpy.context.scene.name}/Rigid Body World"))
    for obj in bpy.data.objects:
        lib = obj.library
        owner_file = _owner_file(lib)
        stem = os.path.splitext(os.path.basename(owner_file))[0]
        for owner, cache in _object_point_caches(obj):
            if cache is None:
                continue
            if not cache.is_baked:
                warnings.append(_unbaked(owner))
            if not cache.use_disk_cache:
                continue
            if cache.use_external:
                stored = cache.filepath
                folder = _absolute(stored, lib if cache.use_library_path else None) if stored else None
                prefix = cache.name
            else:
                stored = ""
                folder = os.path.join(os.path.dirname(owner_file), f"blendcache_{stem}")
                prefix = cache.name or _hex_name(obj.name)
            if folder is None:
                continue
            files = _point_cache_files(folder, prefix, cache.index, cache.use_external)
            missing = [folder] if cache.is_baked and not files else []
            yield _entry("point-cache", owner, lib, stored, folder, files, missing, folder=True)
        for modifier in obj.modifiers:
            domain = getattr(modifier, "domain_settings", None)
            if modifier.type != "FLUID" or modifier.fluid_type != "DOMAIN" or domain is None or not domain.cache_directory:
                continue
            folder = _absolute(domain.cache_directory, lib)
            if not os.path.isdir(folder):
                warnings.append(f"{obj.name}/{modifier.name} is a fluid simulation with no cache on disk: each machine simulates it by itself; bake it first.")
                continue
            yield _entry("fluid-cache", f"{obj.name}/{modifier.name}", lib, domain.cache_directory, folder, _folder_files(folder), [], folder=True)


def _job_frames(args):
    scene = bpy.context.scene
    start = args.get("frameStart", scene.frame_start)
    end = args.get("frameEnd", scene.frame_end)
    step = max(1, args.get("frameStep", scene.frame_step))
    return range(start, end + 1, step)


def _walk(args):
    warnings = []
    entries = list(_external_files(_job_frames(args)))
    entries += list(_script_files())
    entries += list(_caches(warnings))
    known = {e["absolutePath"] for e in entries}
    known.update(p for e in entries for p in e["files"] + e["missing"])
    folders = [e["absolutePath"] + os.sep for e in entries if e["folder"]]
    # Blender's own list, for owners the walk above does not know. It over-reports (weak library
    # references, internal OSL scripts, texts), so what only it names is optional: shipped when
    # it is a file, named in a warning when missing, never a reason to refuse the job. An empty
    # path is no path (it is not ".", the folder Blender happens to run in).
    for stored in bpy.utils.blend_paths(absolute=True, packed=False, local=False):
        if not stored or "<UDIM>" in stored or "<UVTILE>" in stored:
            continue
        path = os.path.normpath(_posix(stored))
        if path in known or any(path.startswith(f) for f in folders) or os.path.isdir(path):
            continue
        known.add(path)
        entry = _entry("other", None, None, stored, path, optional=True)
        entries.append(entry)
    return entries, warnings


# A job takes at most 10 000 files (the agent's limit); past this many, stop listing.
MAX_LISTED_FILES = 20_000


def list_dependencies(args, emit):
    entries, warnings = _walk(args)
    if sum(len(e["files"]) + len(e["missing"]) for e in entries) > MAX_LISTED_FILES:
        raise CommandError("too-many-files", f"The scene uses more than {MAX_LISTED_FILES} files; a job takes at most 10 000.")
    missing = sorted({p for e in entries if not e["optional"] for p in e["missing"]})
    return {"blendFile": bpy.data.filepath, "dependencies": entries, "missing": missing, "warnings": warnings}


# ---- relocation on the worker ----

def _relocatable():
    """(kind, datablock, stored path, setter) for every local datablock path a worker may point elsewhere."""
    for kind, collection in FILE_OWNERS:
        for block in getattr(bpy.data, collection):
            # A linked image's path may be repointed too (Blender 3.4 allows it for images) when it
            # is absolute: it means the same file from any library. A `//` path inside a library
            # is relative to that library, whose copy sits at its project place on the worker.
            linked_absolute = kind == "image" and block.library is not None and not block.filepath.startswith("//")
            if (block.library is None or linked_absolute) and block.filepath and block.filepath != "<builtin>" and getattr(block, "packed_file", None) is None:
                yield kind, block, block.filepath, lambda value, b=block: setattr(b, "filepath", value)
    for obj in bpy.data.objects:
        if obj.library is not None:
            continue
        for _, cache in _object_point_caches(obj):
            if cache is not None and cache.use_disk_cache and cache.use_external and cache.filepath:
                yield "point-cache", obj, cache.filepath, lambda value, c=cache: setattr(c, "filepath", value)
        for modifier in obj.modifiers:
            domain = getattr(modifier, "domain_settings", None)
            if modifier.type == "FLUID" and modifier.fluid_type == "DOMAIN" and domain is not None and domain.cache_directory:
                yield "fluid-cache", obj, domain.cache_directory, lambda value, d=domain: setattr(d, "cache_directory", value)
    for owner, node in _external_nodes():
        if owner.library is None:
            yield _node_kind(node), owner, node.filepath, lambda value, n=node: setattr(n, "filepath", value)


def remap_paths(args, emit):
    """Points every local datablock whose stored path resolves to a key of args['paths'] at that key's value.

    Keys are paths as the .blend stores them (`//`-relative to this file, or absolute); values are
    where this machine keeps the file, or for a cache, the folder. For an image sequence or UDIM
    set the value is one of its files: the datablock keeps its own file name in that folder.
    """
    mapping = {_absolute(k): v for k, v in args["paths"].items()}
    used = set()
    remapped = []
    # Libraries first, in a pass of their own: reloading one replaces its linked datablocks, so the
    # second pass must walk the datablocks anew.
    for libraries_pass in (True, False):
        for kind, block, stored, set_path in list(_relocatable()):
            path = _absolute(stored)
            target = mapping.get(path)
            if target is None or (kind == "library") != libraries_pass:
                continue
            if kind == "image" and block.source in ("SEQUENCE", "TILED"):
                target = os.path.join(os.path.dirname(target), os.path.basename(path))
            set_path(target)
            if kind in ("library", "image"):
                block.reload()
            used.add(path)
            remapped.append({"kind": kind, "name": block.name, "from": path, "to": target})
    unused = sorted(set(mapping) - used)
    # Where the file writes besides its render: into the task's folder, before anything renders.
    contained_writers = contain_file_outputs(args["outputsInto"]) if args.get("outputsInto") else []
    if args.get("saveAs"):
        bpy.ops.wm.save_as_mainfile(filepath=args["saveAs"], copy=True, relative_remap=False)
    # The job's frames: a sequence's frames outside them were never shipped.
    frames = {k: args[k] for k in ("frameStart", "frameEnd", "frameStep") if k in args}
    still_missing = list_dependencies(frames, emit)["missing"]
    if args.get("requireAll") and still_missing:
        raise CommandError("missing-dependencies", "Still missing after relocation: " + ", ".join(still_missing))
    return {"remapped": remapped, "unused": unused, "missing": still_missing, "containedWriters": contained_writers}
