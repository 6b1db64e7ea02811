# Debian's Blender (and other builds) lack OpenImageDenoise; a scene saved with denoising on then
# fails to render ("Build without OpenImageDenoiser"), and designers' files usually have it on.
# The caller chooses: keep the scene's setting and fail clearly where the denoiser is missing, or
# render without denoising and carry a warning.

from .errors import CommandError


def has_open_image_denoise():
    try:
        import _cycles  # Cycles' own module says what it was built with
    except ImportError:
        return False
    return bool(getattr(_cycles, "with_openimagedenoise", False))


def denoising_in_use(scene):
    """What in this scene asks for a denoiser, in words."""
    uses = []
    if scene.render.engine == "CYCLES" and getattr(scene, "cycles", None) and scene.cycles.use_denoising:
        uses.append(f"Cycles render denoising ({scene.cycles.denoiser})")
    if scene.use_nodes and scene.node_tree:
        for node in scene.node_tree.nodes:
            if node.bl_idname == "CompositorNodeDenoise" and not node.mute:
                uses.append(f"compositor Denoise node {node.name!r}")
    return uses


def uses_open_image_denoise(scene):
    """Whether rendering the scene as saved needs OpenImageDenoise (Cycles' denoiser, or a compositor Denoise node)."""
    cycles = scene.render.engine == "CYCLES" and getattr(scene, "cycles", None) and scene.cycles.use_denoising
    # A build without OpenImageDenoise reads the saved denoiser as "" (not among its choices).
    if cycles and scene.cycles.denoiser in ("OPENIMAGEDENOISE", ""):
        return True
    nodes = scene.node_tree.nodes if scene.use_nodes and scene.node_tree else []
    return any(n.bl_idname == "CompositorNodeDenoise" and not n.mute for n in nodes)


def apply_denoising_policy(scene, policy, why_off=None):
    """policy 'scene': keep denoising, fail if this Blender cannot; 'off': turn it off. Returns warnings."""
    uses = denoising_in_use(scene)
    if not uses:
        return []
    if policy == "scene" and why_off is None:
        cycles_denoiser = scene.render.engine == "CYCLES" and scene.cycles.use_denoising
        # A build without OpenImageDenoise reads the saved denoiser as "" (not among its choices).
        if cycles_denoiser and scene.cycles.denoiser in ("OPENIMAGEDENOISE", "") and not has_open_image_denoise():
            raise CommandError(
                "denoiser-unavailable",
                f"The scene uses {', '.join(uses)}, but this machine's Blender was built without "
                "OpenImageDenoise. Turn Denoise off in Render Properties > Sampling, or let Troupe "
                "render without denoising.",
            )
        if cycles_denoiser and scene.cycles.denoiser == "OPTIX":
            raise CommandError("denoiser-unavailable", "The scene uses the OptiX denoiser, which needs an NVIDIA GPU this worker does not use.")
        return []
    if scene.render.engine == "CYCLES" and scene.cycles.use_denoising:
        scene.cycles.use_denoising = False
    for node in scene.node_tree.nodes if scene.use_nodes and scene.node_tree else []:
        if node.bl_idname == "CompositorNodeDenoise":
            node.mute = True
    reason = why_off or "this render was asked to skip denoising"
    return [f"Rendered without {', '.join(uses)}: {reason}."]
