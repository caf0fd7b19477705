"""Host-side helpers of the preprocessing layers: ragged batches of ids."""

import numpy as np


def to_rows(inputs, name="inputs"):
    """Turns one sequence or a batch into `(rows, batched)`, rows as lists.

    Accepts a list of ids, a list of lists (ragged batch), a numpy array
    (1D or 2D), or a backend tensor.
    """
    if hasattr(inputs, "shape") and not isinstance(inputs, np.ndarray):
        import keras

        inputs = keras.ops.convert_to_numpy(inputs)
    if isinstance(inputs, np.ndarray):
        if inputs.ndim == 1:
            return [inputs.tolist()], False
        if inputs.ndim == 2:
            return inputs.tolist(), True
        raise ValueError(
            f"`{name}` must be one sequence (rank 1) or a batch (rank 2). "
            f"Received an array of shape {inputs.shape}."
        )
    if isinstance(inputs, (list, tuple)):
        if len(inputs) == 0:
            return [[]], False
        if isinstance(inputs[0], (list, tuple, np.ndarray)):
            rows = []
            for row in inputs:
                if not isinstance(row, (list, tuple, np.ndarray)):
                    raise ValueError(f"`{name}` mixes sequences and scalars. Received: {inputs!r}")
                rows.append(np.asarray(row).tolist() if isinstance(row, np.ndarray) else list(row))
            return rows, True
        return [list(inputs)], False
    raise TypeError(
        f"`{name}` must be a list of ids, a list of lists, or an array. "
        f"Received: {inputs!r} (of type {type(inputs).__name__})."
    )


def as_value_list(value, name):
    """`None` -> [], a scalar -> [scalar], a list/tuple -> list."""
    if value is None:
        return []
    if isinstance(value, (int, str, np.integer)):
        return [value]
    if isinstance(value, (list, tuple)):
        return list(value)
    raise ValueError(f"`{name}` must be an int, a str, or a list of them. Received: {name}={value!r}")


def pad_rows(rows, sequence_length, pad_value, padding_side, dtype=None):
    """Pads/truncates each row to `sequence_length` into a numpy array."""
    is_string = any(isinstance(v, str) for row in rows for v in row) or isinstance(pad_value, str)
    out_dtype = object if is_string else (dtype or "int32")
    out = np.full((len(rows), sequence_length), pad_value, dtype=out_dtype)
    mask = np.zeros((len(rows), sequence_length), dtype=bool)
    for i, row in enumerate(rows):
        row = row[:sequence_length]
        if not row:
            continue
        if padding_side == "left":
            out[i, sequence_length - len(row) :] = row
            mask[i, sequence_length - len(row) :] = True
        else:
            out[i, : len(row)] = row
            mask[i, : len(row)] = True
    return out, mask


def check_padding_side(padding_side):
    if padding_side not in ("left", "right"):
        raise ValueError(f"`padding_side` must be 'left' or 'right'. Received: padding_side={padding_side!r}")


def check_sequence_length(sequence_length):
    if isinstance(sequence_length, bool) or not isinstance(sequence_length, int) or sequence_length < 1:
        raise ValueError(f"`sequence_length` must be a positive int. Received: sequence_length={sequence_length!r}")


def is_model_tensor(value):
    """True for symbolic Keras tensors and backend tensors (the in-model path)."""
    import keras

    if isinstance(value, (np.ndarray, list, tuple)):
        return False
    return isinstance(value, keras.KerasTensor) or keras.ops.is_tensor(value)


def ops_pad(x, sequence_length, pad_value, padding_side):
    """Truncates/pads the last axis of a dense tensor to `sequence_length` (keras.ops)."""
    from keras import ops

    x = x[..., :sequence_length]
    missing = sequence_length - x.shape[-1]
    if missing > 0:
        widths = [[0, 0]] * (len(x.shape) - 1)
        widths.append([missing, 0] if padding_side == "left" else [0, missing])
        x = ops.pad(x, widths, constant_values=pad_value)
    return x


def ops_constant_columns(values, like):
    """`values` repeated for every row of `like` (rank 1 or 2), in `like`'s dtype."""
    from keras import ops

    columns = ops.convert_to_tensor(np.asarray(values), dtype=like.dtype)
    if len(like.shape) == 1:
        return columns
    # Broadcasting against a zero column keeps an unknown batch size symbolic.
    return ops.zeros_like(like[..., :1]) + columns
