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


# Regions and denoising: a denoiser run on one region at a time sees no pixels past its edge and
# leaves seams, so regions render noisy with Cycles' denoising passes (albedo, normal) and the
# stitch denoises the merged frame once, as the compositor's Denoise node (OpenImageDenoise, the
# denoiser Cycles itself uses on the CPU) guided by the same passes.

DENOISING_PASSES = ("Denoising Normal", "Denoising Albedo")


class stored_denoising_passes:
    """Renders without Cycles' denoiser but with its passes, for a stitch to denoise after."""

    def __init__(self, scene):
        self.scene = scene
        self.saved = []

    def __enter__(self):
        s = self.scene
        if s.render.engine == "CYCLES" and s.cycles.use_denoising:
            for layer in s.view_layers:
                self.saved.append((layer, layer.cycles.denoising_store_passes))
                layer.cycles.denoising_store_passes = True
        return self

    def __exit__(self, *exc):
        for layer, stored in self.saved:
            layer.cycles.denoising_store_passes = stored
        return False


class denoised_in_compositor:
    """Puts a Denoise node after every Render Layers node that has the denoising passes, then takes them out.

    Used by the stitch when the scene denoises in Cycles: the regions were rendered noisy with the
    passes (stored_denoising_passes). Whatever the scene's compositor does with the image now sees
    the denoised frame, as it would after Cycles' own denoiser."""

    def __init__(self, scene, wanted):
        self.scene = scene
        self.wanted = wanted  # asked before the stitch switched the scene to its own engine
        self.added = []
        self.made_tree = False

    def __enter__(self):
        s = self.scene
        if not self.wanted:
            return self
        if not has_open_image_denoise():
            raise CommandError(
                "denoiser-unavailable",
                "The regions of this still are to be denoised once stitched, but this machine's Blender was "
                "built without OpenImageDenoise. Render it without denoising, or whole on a machine that has it.",
            )
        if not s.use_nodes:
            s.use_nodes = True  # Blender makes the default tree: Render Layers into Composite
            self.made_tree = True
        tree = s.node_tree
        for layers in [n for n in tree.nodes if n.bl_idname == "CompositorNodeRLayers" and not n.mute]:
            if not all(name in layers.outputs and layers.outputs[name].enabled for name in DENOISING_PASSES):
                continue
            image = layers.outputs["Image"]
            consumers = [link.to_socket for link in image.links]
            for link in list(image.links):
                tree.links.remove(link)
            node = tree.nodes.new("CompositorNodeDenoise")
            node.use_hdr = True
            prefilter = getattr(s.cycles, "denoising_prefilter", "ACCURATE")
            if prefilter in ("NONE", "FAST", "ACCURATE"):
                node.prefilter = prefilter
            tree.links.new(image, node.inputs["Image"])
            tree.links.new(layers.outputs["Denoising Normal"], node.inputs["Normal"])
            tree.links.new(layers.outputs["Denoising Albedo"], node.inputs["Albedo"])
            for socket in consumers:
                tree.links.new(node.outputs["Image"], socket)
            self.added.append((layers, node, consumers))
        return self

    def __exit__(self, *exc):
        tree = self.scene.node_tree
        for layers, node, consumers in self.added:
            tree.nodes.remove(node)
            for socket in consumers:
                tree.links.new(layers.outputs["Image"], socket)
        if self.made_tree:
            self.scene.use_nodes = False
        return False
