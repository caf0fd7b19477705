"""How `save_compressed` stores one weight: choosing an encoding, its parts, and back.

A weight becomes an encoding name plus named numpy "parts" (a bitmap, int8
values, a codebook, ...). Kernels are laid out channel-major: the array is
viewed as `(rows, channels)` with the last axis as channels, and its
transpose is flattened, so each output channel's positions and values are
contiguous (a channel's density and value range differ from its
neighbours', and the entropy coder sees one channel at a time).

Part sizes are not stored: `part_layout` derives each from the weight's
shape, dtype and the parts read before it (the values of a sparse kernel
count the bitmap's ones), so the file only records an encoding per weight.
"""

import numpy as np

# The order in which the file groups parts across all weights: all bitmaps,
# then all indices, ... Like data next to like data compresses better.
PART_ORDER = ("bitmap", "indices", "values", "codebook", "scale", "data")
ENCODING_PARTS = {
    "raw": ("data",),
    "codebook4": ("indices", "codebook"),
    "codebook8": ("indices", "codebook"),
    "sparse": ("bitmap", "values"),
    "int8_sparse": ("bitmap", "values", "scale"),
    "int8": ("values", "scale"),
    "int4": ("values", "scale"),
}
_INT8_MAX = 127.0
_INT4_MAX = 7.0


def int4_grid_scale(matrix):
    """Per-channel steps when every value of `matrix` (channels, rows) is on a 4-bit grid.

    The grid is QAT's symmetric narrow 4-bit one, `k * step` with `k` in
    [-7, 7] and `step = max|w| / 7` per channel (per-axis) or over the
    whole tensor (per-tensor). Returns the float32 steps, or None when the
    values are off the grid (by more than float32 rounding).
    """
    if not np.issubdtype(matrix.dtype, np.floating) or matrix.dtype.itemsize < 4:
        return None
    magnitude = np.abs(matrix).max(axis=1).astype("float64")
    for top in (magnitude, np.full_like(magnitude, magnitude.max())):
        step = np.where(top > 0, top / _INT4_MAX, 1.0)
        ratio = matrix / step[:, None]
        if np.all(np.abs(ratio - np.round(ratio)) <= 1e-4) and np.all(np.abs(ratio) <= _INT4_MAX + 1e-4):
            return step.astype("float32")
    return None


def encode(value, quantize):
    """Chooses the encoding of one weight; returns `(entry, parts)`.

    `entry` is `[encoding, dtype, shape]`, plus the codebook length for
    codebooks or the scale dtype for int8. Every encoding the weight allows
    is costed in stored bytes (before the entropy coder) and the smallest
    wins; on a tie the exact one. With `quantize="int8"`, a kernel of at
    most 16 distinct values (clustered) stays an exact `codebook4`.
    """
    entry = [None, value.dtype.name, list(value.shape)]
    if value.ndim < 2 or not np.issubdtype(value.dtype, np.floating) or value.size == 0:
        entry[0] = "raw"
        return entry, {"data": value.reshape(-1)}
    channels = value.shape[-1]
    flat = np.ascontiguousarray(value.reshape(-1, channels).T).reshape(-1)
    size, itemsize = value.size, value.dtype.itemsize
    nonzero = flat != 0
    nonzeros = int(nonzero.sum())
    codebook, indices = np.unique(flat, return_inverse=True)
    costs = {"raw": size * itemsize}  # Insertion order: exact encodings first, so they win ties.
    if len(codebook) <= 16:
        costs["codebook4"] = len(codebook) * itemsize + (size + 1) // 2
    if len(codebook) <= 256:
        costs["codebook8"] = len(codebook) * itemsize + size
    int4_step = int4_grid_scale(flat.reshape(channels, -1)) if len(codebook) > 16 else None
    if int4_step is not None:  # 4-bit QAT weights (exact to float32 rounding).
        costs["int4"] = (size + 1) // 2 + int4_step.nbytes
    if quantize == "int8" and "codebook4" in costs:
        costs = {"codebook4": costs["codebook4"]}  # Clustered: stays exact, as `quantize` documents.
    elif quantize == "int8":
        costs.pop("raw")  # Asked to quantize: stay float only for codebooks that are smaller.
        scale = int8_scale(np.abs(flat.reshape(channels, -1)).max(axis=1))
        costs["int8"] = size + scale.nbytes
        costs["int8_sparse"] = (size + 7) // 8 + nonzeros + scale.nbytes
    else:
        costs["sparse"] = (size + 7) // 8 + nonzeros * itemsize
    entry[0] = encoding = min(costs, key=costs.get)
    if encoding == "raw":
        return entry, {"data": value.reshape(-1)}
    if encoding in ("codebook4", "codebook8"):
        entry.append(len(codebook))
        indices = indices.reshape(-1).astype("uint8")
        if encoding == "codebook4":
            indices = np.append(indices, np.uint8(0)) if len(indices) % 2 else indices
            indices = indices[0::2] << 4 | indices[1::2]
        return entry, {"indices": indices, "codebook": codebook}
    if encoding == "sparse":
        return entry, {"bitmap": np.packbits(nonzero), "values": flat[nonzero]}
    if encoding == "int4":  # Two 4-bit levels per byte, stored as level + 8 (1..15).
        entry.append("float32")
        levels = np.round(flat.reshape(channels, -1) / int4_step[:, None].astype("float64"))
        nibbles = (levels.reshape(-1) + 8).astype("uint8")
        nibbles = np.append(nibbles, np.uint8(8)) if len(nibbles) % 2 else nibbles
        return entry, {"values": nibbles[0::2] << 4 | nibbles[1::2], "scale": int4_step}
    entry.append(scale.dtype.name)
    step = np.where(scale > 0, scale, 1).astype("float64")
    quantized = np.round(flat.reshape(channels, -1) / step[:, None]).clip(-_INT8_MAX, _INT8_MAX)
    quantized = quantized.astype("int8").reshape(-1)
    if encoding == "int8":
        return entry, {"values": quantized, "scale": scale}
    return entry, {"bitmap": np.packbits(nonzero), "values": quantized[nonzero], "scale": scale}


def int8_scale(channel_max):
    """Per-channel int8 steps `max |w| / 127`, as float16 where that is exact to 0.1 %.

    The float16 step is rounded up, so `max |w| / step` stays <= 127, and
    values are quantized with the stored step: the only loss is the int8
    rounding (half a step). A step outside float16's normal range (tiny or
    huge weights) stays float32.
    """
    scale = channel_max.astype("float64") / _INT8_MAX
    half = scale.astype("float16")
    half = np.where(half.astype("float64") < scale, np.nextafter(half, np.float16(np.inf)), half)
    if np.all(np.isfinite(half)) and np.all((half == 0) | (half >= np.finfo("float16").smallest_normal)):
        return half
    return scale.astype("float32")


def part_layout(entry, name, parts):
    """`(dtype, count)` of part `name` of a weight, from its entry and the parts already read."""
    encoding, dtype, shape = entry[0], np.dtype(entry[1]), entry[2]
    size = int(np.prod(shape))
    if name == "data":
        return dtype, size
    if name == "bitmap":
        return np.dtype("uint8"), (size + 7) // 8
    if name == "indices":
        return np.dtype("uint8"), (size + 1) // 2 if encoding == "codebook4" else size
    if name == "codebook":
        return dtype, int(entry[3])
    if name == "scale":
        return np.dtype(entry[3]), int(shape[-1])
    if encoding == "int4":
        return np.dtype("uint8"), (size + 1) // 2
    count = int(np.unpackbits(parts["bitmap"], count=size).sum()) if "bitmap" in parts else size
    return (np.dtype("int8") if encoding.startswith("int8") else dtype), count


def decode(encoding, shape, dtype, parts, channel_major=True):
    """The dense array of one weight from its parts.

    `channel_major=False` reads the row-major layout of version-1 files.
    """
    shape, dtype = tuple(shape), np.dtype(dtype)
    size = int(np.prod(shape))
    if encoding == "raw":
        return parts["data"].reshape(shape)
    if encoding in ("codebook4", "codebook8"):
        indices = parts["indices"]
        if encoding == "codebook4":
            indices = np.stack([indices >> 4, indices & 15], axis=-1).reshape(-1)[:size]
        flat = parts["codebook"][indices]
    elif encoding in ("sparse", "int8_sparse"):
        nonzero = np.unpackbits(parts["bitmap"], count=size).astype(bool)
        flat = np.zeros(size, dtype=parts["values"].dtype)
        flat[nonzero] = parts["values"]
    elif encoding == "int8":
        flat = parts["values"]
    elif encoding == "int4":
        packed = parts["values"]
        flat = np.stack([packed >> 4, packed & 15], axis=-1).reshape(-1)[:size].astype("int8") - 8
    else:
        raise ValueError(f"Unknown weight encoding {encoding!r}: the file is newer than this kerasverse.")
    channels = shape[-1]
    matrix = flat.reshape(channels, -1) if channel_major else flat.reshape(-1, channels).T
    if encoding.startswith("int"):
        work = np.promote_types(dtype, np.float32)
        matrix = (matrix.astype(work) * parts["scale"].astype(work)[:, None]).astype(dtype)
    return np.ascontiguousarray(matrix.T).reshape(shape)
