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
