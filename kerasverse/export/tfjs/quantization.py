"""Weight quantization as the TF.js weights manifest describes it.

`uint8`/`uint16`: affine, `value = quantized * scale + min`, with `min`
nudged so that 0.0 is stored exactly (zero biases and padding stay zero).
`float16`: IEEE half precision. Only float32 weights are quantized; the
manifest entry keeps `dtype: float32` and gains a `quantization` record that
tfjs (and `load_model`) use to restore float32 values.
"""

import numpy as np

QUANTIZE_DTYPES = ("uint8", "uint16", "float16")
_STORAGE = {"uint8": np.dtype("u1"), "uint16": np.dtype("<u2"), "float16": np.dtype("<f2")}


def quantize(values, dtype):
    """Quantizes a float32 array.

    Args:
        values: a float32 numpy array.
        dtype: one of `QUANTIZE_DTYPES`.

    Returns:
        `(stored, quantization)`: the array to write and the manifest's
        `quantization` record.
    """
    if dtype not in QUANTIZE_DTYPES:
        raise ValueError(f"`quantize` must be None or one of {QUANTIZE_DTYPES}. Received: quantize={dtype!r}")
    values = np.asarray(values, dtype="float32")
    if dtype == "float16":
        return values.astype(_STORAGE[dtype]), {"dtype": "float16", "original_dtype": "float32"}
    levels = np.iinfo(_STORAGE[dtype]).max
    low = min(float(values.min(initial=0.0)), 0.0)
    high = max(float(values.max(initial=0.0)), 0.0)
    scale = (high - low) / levels if high > low else 1.0
    zero_point = round(-low / scale)
    low = -zero_point * scale
    stored = np.clip(np.round(values / scale) + zero_point, 0, levels).astype(_STORAGE[dtype])
    return stored, {"dtype": dtype, "min": low, "scale": scale, "original_dtype": "float32"}


def dequantize(stored, quantization):
    """The float32 values a `quantization` record and its stored array stand for."""
    dtype = quantization["dtype"]
    if dtype == "float16":
        return stored.astype("float32")
    if dtype not in _STORAGE:
        raise ValueError(f"Unknown weight quantization dtype {dtype!r}. Expected one of {QUANTIZE_DTYPES}.")
    scale = np.float32(quantization["scale"])
    low = np.float32(quantization["min"])
    return (stored.astype("float32") * scale + low).astype("float32")


def storage_dtype(quantization):
    """The numpy dtype a quantized weight is stored in."""
    return _STORAGE[quantization["dtype"]]
