# Reading what an OpenEXR file holds without decoding it: its size and its channels, grouped the
# way Blender names a multilayer file's channels ("<view layer>.<pass>.<channel>"). The stitch
# needs both before Blender loads a single pixel: a tile's size to check it against its region,
# and its passes to declare them for the stitched frame.

import struct

MAGIC = b"\x76\x2f\x31\x01"
# Headers are a few KiB even with hundreds of passes; a bigger one is not a tile Blender wrote.
MAX_HEADER_BYTES = 1 << 20

# Blender's channel ids for a pass, in the order it declares them (files store them sorted).
CHANNEL_ORDERS = ("RGBA", "RGB", "XYZW", "XYZ", "XY", "UV", "Z", "V", "A", "X")


class ExrHeaderError(ValueError):
    pass


def read_exr_header(path):
    """{'width', 'height', 'passes': [(layer, pass, channel_ids)]} of a scanline OpenEXR file."""
    with open(path, "rb") as f:
        data = f.read(MAX_HEADER_BYTES)
    if data[:4] != MAGIC:
        raise ExrHeaderError(f"{path} is not an OpenEXR file")
    pos, channels, window = 8, None, None
    try:
        while data[pos] != 0:
            name, pos = _string(data, pos)
            kind, pos = _string(data, pos)
            (size,) = struct.unpack_from("<i", data, pos)
            pos += 4
            if name == "channels" and kind == "chlist":
                channels = _channel_names(data, pos, pos + size)
            elif name == "dataWindow" and kind == "box2i":
                window = struct.unpack_from("<4i", data, pos)
            pos += size
    except (IndexError, ValueError, struct.error) as err:
        raise ExrHeaderError(f"{path} has a damaged OpenEXR header") from err
    if channels is None or window is None:
        raise ExrHeaderError(f"{path} has no channel list or data window")
    x0, y0, x1, y1 = window
    return {"width": x1 - x0 + 1, "height": y1 - y0 + 1, "passes": group_passes(channels)}


def group_passes(channels):
    """[(layer, pass, channel ids)] from multilayer channel names, in first-seen order.

    Blender splits a name at its last two dots (a view layer's name may hold dots, a channel's
    may not); a name without two dots is a single-layer file's and has no pass to declare."""
    grouped = {}
    for channel in channels:
        parts = channel.rsplit(".", 2)
        if len(parts) != 3:
            continue
        layer, name, letter = parts
        grouped.setdefault((layer, name), set()).add(letter)
    return [(layer, name, _channel_id(letters)) for (layer, name), letters in grouped.items()]


def _channel_id(letters):
    for order in CHANNEL_ORDERS:
        if set(order) == letters:
            return order
    return "".join(sorted(letters))


def _string(data, pos):
    end = data.index(b"\0", pos)
    return data[pos:end].decode("utf-8"), end + 1


def _channel_names(data, pos, end):
    names = []
    while pos < end and data[pos] != 0:
        name, pos = _string(data, pos)
        names.append(name)
        pos += 16  # pixel type, linearity, reserved, x and y sampling
    return names
