# Every file a .blend needs besides itself, found by Blender (so nothing is guessed from bytes),
# and the relocation of those paths to where a worker keeps its copies. A teammate's machine has
# no shared folder and may run another OS: each path is pointed at a content-addressed copy.

import os

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


def _absolute(path, library=None):
    return os.path.normpath(bpy.path.abspath(path, library=library))


def _external_files():
    """(kind, datablock, absolute path) for each datablock that reads a file; packed ones excluded."""
    for kind, collection in FILE_OWNERS:
        for block in getattr(bpy.data, collection):
            path = block.filepath
            if not path or path == "<builtin>" or getattr(block, "packed_file", None) is not None:
                continue
            if kind == "image" and block.source not in {"FILE", "SEQUENCE", "MOVIE", "TILED"}:
                continue
            yield kind, block, _absolute(path, block.library)


def _disk_caches():
    """Point-cache folders written to disk (cloth, soft body, particles with a disk cache, fluids)."""
    blend_dir = os.path.dirname(bpy.data.filepath)
    stem = os.path.splitext(os.path.basename(bpy.data.filepath))[0]
    for obj in bpy.data.objects:
        for modifier in obj.modifiers:
            cache = getattr(modifier, "point_cache", None)
            if cache is not None and cache.use_disk_cache:
                folder = _absolute(cache.filepath) if cache.use_external else os.path.join(blend_dir, f"blendcache_{stem}")
                yield "point-cache", obj, folder
            domain = getattr(modifier, "domain_settings", None)
            if modifier.type == "FLUID" and domain is not None and modifier.fluid_type == "DOMAIN":
                yield "fluid-cache", obj, _absolute(domain.cache_directory)


def _entry(kind, block, path):
    exists = os.path.exists(path)
    return {
        "kind": kind,
        "name": block.name,
        "viaLibrary": block.library.name if getattr(block, "library", None) else None,
        "absolutePath": path,
        "exists": exists,
        "isDirectory": os.path.isdir(path),
        "sizeBytes": os.path.getsize(path) if exists and os.path.isfile(path) else None,
    }


def list_dependencies(args, emit):
    entries = [_entry(k, b, p) for k, b, p in _external_files()]
    entries += [_entry(k, b, p) for k, b, p in _disk_caches()]
    known = {e["absolutePath"] for e in entries}
    # Blender's own list, to catch any owner the walk above does not know about.
    for path in bpy.utils.blend_paths(absolute=True, packed=False, local=False):
        path = os.path.normpath(path)
        if path not in known:
            known.add(path)
            entries.append({"kind": "other", "name": None, "viaLibrary": None, "absolutePath": path,
                            "exists": os.path.exists(path), "isDirectory": os.path.isdir(path),
                            "sizeBytes": os.path.getsize(path) if os.path.isfile(path) else None})
    missing = sorted({e["absolutePath"] for e in entries if not e["exists"]})
    return {"blendFile": bpy.data.filepath, "dependencies": entries, "missing": missing}


def remap_paths(args, emit):
    """Points every datablock whose file is a key of args['paths'] at that key's value."""
    mapping = {os.path.normpath(k): v for k, v in args["paths"].items()}
    used = set()
    remapped = []
    # Libraries first, in a pass of their own: reloading one replaces its linked datablocks, so the
    # second pass must walk the datablocks anew.
    for libraries_pass in (True, False):
        for kind, block, path in list(_external_files()):
            target = mapping.get(path)
            if target is None or (kind == "library") != libraries_pass:
                continue
            if block.library is not None:
                # Linked datablocks are read-only here; their paths are the library file's business.
                continue
            block.filepath = target
            if kind in ("library", "image"):
                block.reload()
            used.add(path)
            remapped.append({"kind": kind, "name": block.name, "from": path, "to": target})
    unused = sorted(set(mapping) - used)
    # Where the file writes besides its render: into the task's folder, before anything renders.
    contained_writers = contain_file_outputs(args["outputsInto"]) if args.get("outputsInto") else []
    if args.get("saveAs"):
        bpy.ops.wm.save_as_mainfile(filepath=args["saveAs"], copy=True, relative_remap=False)
    still_missing = list_dependencies({}, emit)["missing"]
    if args.get("requireAll") and still_missing:
        raise CommandError("missing-dependencies", "Still missing after relocation: " + ", ".join(still_missing))
    return {"remapped": remapped, "unused": unused, "missing": still_missing, "containedWriters": contained_writers}
