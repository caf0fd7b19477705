"""Host-side (numpy) input checks and int8 (de)quantization shared by the runners."""

import numpy as np

DEFAULT_BATCH_SIZE = 32


def quantization_of(detail):
    """`(scale, zero_point)` of an integer-quantized tensor detail, else None."""
    params = detail.get("quantization_parameters") or {}
    scales = np.asarray(params.get("scales", []))
    if scales.size == 0:
        scale, zero_point = detail.get("quantization", (0.0, 0))
        if not scale:
            return None
        return float(scale), int(zero_point)
    return float(scales.reshape(-1)[0]), int(
        np.asarray(params["zero_points"]).reshape(-1)[0]
    )


def check_inputs(x, specs, runner):
    """Validates `x` against `[(name, shape, dtype)]`; returns a list of numpy arrays.

    Raises:
        ValueError: wrong number of inputs, rank, or fixed dimension.
        TypeError: a dtype that cannot feed the input (strings, floats for
            integer ids, ...).
    """
    if isinstance(x, dict):
        arrays = [x[name] if name in x else None for name, _, _ in specs]
        missing = [name for (name, _, _), a in zip(specs, arrays) if a is None]
        if missing:
            raise ValueError(
                f"{runner}.predict: missing inputs {missing}. Received keys: {sorted(x)}."
            )
    else:
        arrays = list(x) if isinstance(x, (list, tuple)) else [x]
    if len(arrays) != len(specs):
        raise ValueError(
            f"{runner}.predict expects {len(specs)} input array(s) "
            f"({', '.join(name for name, _, _ in specs)}). Received: {len(arrays)}."
        )
    checked = []
    for array, (name, shape, dtype) in zip(arrays, specs):
        array = np.asarray(array)
        expected = "(" + ", ".join("None" if d is None else str(d) for d in shape) + ")"
        if array.ndim != len(shape) or any(
            d is not None and d != s for d, s in zip(shape[1:], array.shape[1:])
        ):
            raise ValueError(
                f"{runner}.predict: input '{name}' expects shape {expected} (first axis = samples). "
                f"Received: shape {array.shape}. Reshape the input, e.g. add the channel axis."
            )
        if array.dtype.kind not in "biuf":
            raise TypeError(
                f"{runner}.predict: input '{name}' expects numeric data ({dtype}). Received: dtype {array.dtype}."
            )
        if (
            np.dtype(dtype).kind in "iu"
            and array.dtype.kind == "f"
            and not _quantized_dtype(dtype)
        ):
            raise TypeError(
                f"{runner}.predict: input '{name}' expects integers ({dtype}). Received: dtype {array.dtype}. "
                "Cast the ids with `x.astype('int32')`."
            )
        checked.append(array)
    if len({len(a) for a in checked}) > 1:
        raise ValueError(
            f"{runner}.predict: all inputs need the same number of samples. "
            f"Received: {[len(a) for a in checked]}."
        )
    return checked


def _quantized_dtype(dtype):
    return np.dtype(dtype) in (np.dtype("int8"), np.dtype("uint8"))


def check_batch_size(batch_size, fixed_batch, runner):
    if batch_size is None:
        return fixed_batch or DEFAULT_BATCH_SIZE
    if (
        not isinstance(batch_size, (int, np.integer))
        or isinstance(batch_size, bool)
        or batch_size < 1
    ):
        raise ValueError(
            f"{runner}.predict: `batch_size` must be a positive int. Received: batch_size={batch_size!r}"
        )
    if fixed_batch is not None and batch_size != fixed_batch:
        raise ValueError(
            f"{runner}.predict: this file has a fixed batch dimension of {fixed_batch}. "
            f"Received: batch_size={batch_size}. Use batch_size={fixed_batch}, or export with a dynamic batch."
        )
    return int(batch_size)


def pad_batch(array, size):
    """Pads the first axis with zeros up to `size` (for fixed-batch files)."""
    if len(array) == size:
        return array
    padding = np.zeros((size - len(array),) + array.shape[1:], array.dtype)
    return np.concatenate([array, padding])


def to_input(array, dtype, quantization=None):
    """Converts a user array to the runtime dtype, quantizing floats for int8/uint8 inputs."""
    dtype = np.dtype(dtype)
    if quantization is not None and dtype.kind in "iu":
        if array.dtype == dtype:
            return array  # Already quantized by the caller.
        scale, zero_point = quantization
        info = np.iinfo(dtype)
        quantized = np.round(array.astype("float32") / scale + zero_point)
        return np.clip(quantized, info.min, info.max).astype(dtype)
    return array.astype(dtype, copy=False)


def from_output(array, quantization=None):
    """Dequantizes an int8/uint8 output to float32; other outputs are returned as they are."""
    if quantization is not None and array.dtype.kind in "iu":
        scale, zero_point = quantization
        return (array.astype("float32") - zero_point) * scale
    return np.array(array)
