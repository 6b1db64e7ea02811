# Physics bakes: every point cache of the file (rigid body, cloth, soft body, particles, dynamic
# paint) baked here, then the file saved, so the designer's machine gets the baked result back.
# Rigid-body and other memory caches live inside the saved .blend; disk caches are files in the
# blendcache_<name> folder beside it, listed so they travel back too.

import os

import bpy

from .errors import CommandError


def point_caches():
    for scene in bpy.data.scenes:
        if scene.rigidbody_world is not None:
            yield "rigid-body", scene.name, scene.rigidbody_world.point_cache
    for obj in bpy.data.objects:
        for modifier in obj.modifiers:
            cache = getattr(modifier, "point_cache", None)
            if cache is not None:
                yield modifier.type.lower().replace("_", "-"), f"{obj.name}/{modifier.name}", cache
        for system in getattr(obj, "particle_systems", []):
            yield "particles", f"{obj.name}/{system.name}", system.point_cache


def describe_cache(kind, owner, cache):
    return {
        "kind": kind,
        "owner": owner,
        "isBaked": cache.is_baked,
        "frameStart": cache.frame_start,
        "frameEnd": cache.frame_end,
        "diskCache": cache.use_disk_cache,
        "info": cache.info,
    }


def _cache_files(blend_path):
    stem = os.path.splitext(os.path.basename(blend_path))[0]
    folder = os.path.join(os.path.dirname(blend_path), f"blendcache_{stem}")
    if not os.path.isdir(folder):
        return []
    return sorted(os.path.join(folder, name) for name in os.listdir(folder))


def bake_all(args, emit):
    caches = list(point_caches())
    if not caches:
        raise CommandError("nothing-to-bake", "The file has no physics caches to bake (rigid body, cloth, soft body, particles).")
    result = bpy.ops.ptcache.bake_all(bake=True)
    if "FINISHED" not in result:
        raise CommandError("bake-failed", f"Blender did not finish the bake ({', '.join(result)}).")
    output = args.get("output") or bpy.data.filepath
    os.makedirs(os.path.dirname(output), exist_ok=True)
    # A copy keeps this session on the original file; the baked memory caches are saved with it.
    bpy.ops.wm.save_as_mainfile(filepath=output, copy=True, relative_remap=False)
    described = [describe_cache(*c) for c in point_caches()]
    if not all(c["isBaked"] for c in described):
        unbaked = ", ".join(c["owner"] for c in described if not c["isBaked"])
        raise CommandError("bake-failed", f"These caches did not bake: {unbaked}.")
    return {"blendFile": output, "caches": described, "cacheFiles": _cache_files(bpy.data.filepath)}
