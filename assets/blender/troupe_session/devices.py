# Which devices this machine's Cycles can render on, and choosing them for a job. Teammates start
# Blender with factory settings, where Cycles renders on the CPU whatever the machine has: a
# machine with an RTX card would leave it idle. The worker advertises what it found (capabilities)
# and its Blender selects the devices a job allows (select_devices) before the first render.

import json

import bpy

# Best first: where a machine has several, the first one it has is used.
GPU_TYPES = ("OPTIX", "CUDA", "HIP", "METAL", "ONEAPI")


def _cycles():
    try:
        import _cycles  # Cycles' own module: what it was built with, and the devices it sees
    except ImportError:
        return None
    return _cycles


def gpu_devices(cycles=None):
    """{device type: [device name, ...]} for each GPU type with at least one device (the CPU is not one)."""
    cycles = cycles or _cycles()
    if cycles is None:
        return {}
    found = {}
    for kind in GPU_TYPES:
        try:
            devices = cycles.available_devices(kind)
        except (ValueError, RuntimeError, TypeError):
            continue  # a type this build does not know
        names = [d[0] for d in devices if len(d) > 1 and d[1] == kind]
        if names:
            found[kind] = names
    return found


def capabilities():
    cycles = _cycles()
    return {"openImageDenoise": bool(cycles is not None and getattr(cycles, "with_openimagedenoise", False)), "gpus": gpu_devices(cycles)}


def print_capabilities():
    print("TROUPE-CAPABILITIES " + json.dumps(capabilities()), flush=True)


def choose_device(policy, gpus):
    """('GPU', type) or ('CPU', None) for a job's policy ('cpu', 'gpu', 'any') and the GPUs found; None when it asks for what is not here."""
    kind = next((k for k in GPU_TYPES if gpus.get(k)), None)
    if policy == "cpu":
        return "CPU", None
    if kind is None:
        return None if policy == "gpu" else ("CPU", None)
    return "GPU", kind


def select_devices(args, emit):
    """Points Cycles at the job's devices for every scene of the open file; says what it chose."""
    policy = args.get("policy", "any")
    gpus = args["gpus"] if "gpus" in args else gpu_devices()  # tests pass a list; a worker looks
    choice = choose_device(policy, gpus)
    if choice is None:
        from .errors import CommandError
        raise CommandError("no-gpu", "The job asks for a GPU, and Cycles finds none on this machine (CUDA, OptiX, HIP, Metal or oneAPI).")
    device, kind = choice
    if device == "GPU" and not args.get("dryRun"):
        prefs = bpy.context.preferences.addons["cycles"].preferences
        prefs.compute_device_type = kind
        prefs.get_devices()
        for d in prefs.devices:
            d.use = d.type == kind
    if not args.get("dryRun"):
        for scene in bpy.data.scenes:
            if scene.render.engine == "CYCLES":
                scene.cycles.device = device
    return {"device": device, "type": kind, "names": gpus.get(kind, []) if kind else []}
