# A command changes render settings only for itself: the session lives on for the job's next task,
# which must see the scene as saved, not as the previous task left it.

from contextlib import contextmanager


@contextmanager
def temporarily(target, **values):
    saved = {name: getattr(target, name) for name in values}
    try:
        for name, value in values.items():
            setattr(target, name, value)
        yield target
    finally:
        for name, value in saved.items():
            setattr(target, name, value)


IMAGE_SETTING_ARGS = {"fileFormat": "file_format", "colorDepth": "color_depth", "colorMode": "color_mode"}


def image_setting_overrides(args):
    """The output image settings a command's args override, as Blender's property names."""
    return {prop: args[key] for key, prop in IMAGE_SETTING_ARGS.items() if args.get(key)}


# Setting an image's file format resets its other settings to that format's defaults (PNG to
# OpenEXR gives 32-bit float, not the scene's 16), so putting back the format alone would leave the
# next task writing other files than the scene asks for. These are put back too, format first.
IMAGE_SETTINGS_KEPT = ("file_format", "color_mode", "color_depth", "exr_codec", "compression", "quality", "use_preview", "use_zbuffer")


@contextmanager
def image_settings_overridden(settings, **values):
    saved = {name: getattr(settings, name) for name in IMAGE_SETTINGS_KEPT if hasattr(settings, name)}
    try:
        for name, value in values.items():
            setattr(settings, name, value)
        yield settings
    finally:
        for name, value in saved.items():
            try:
                setattr(settings, name, value)
            except (TypeError, ValueError):
                pass  # a setting the restored format does not offer (a colour depth PNG lacks)
