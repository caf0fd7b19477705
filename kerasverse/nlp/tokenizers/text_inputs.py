"""Host-side helpers shared by the tokenizers: input checks and output shapes.

Tokenizers take a Python string, bytes, a (nested) list of them or a numpy
array of strings, and give Python lists (ragged) or numpy arrays (dense).
"""

import contextlib
import gc

import numpy as np


def _describe(value, limit=80):
    text = repr(value)
    if len(text) > limit:
        text = text[:limit] + "..."
    return f"{text} (of type {type(value).__name__})"


def _to_str(value, position):
    if isinstance(value, str):
        return value
    if isinstance(value, (bytes, np.bytes_)):
        try:
            return bytes(value).decode("utf-8")
        except UnicodeDecodeError as error:
            raise ValueError(
                f"Tokenizer inputs must be valid UTF-8. The bytes at position "
                f"{position} are not ({error.reason} at byte {error.start}). "
                f"Received: {_describe(value)}. Decode them yourself, e.g. "
                "with `data.decode('utf-8', errors='replace')`, or fix the data."
            ) from None
    raise TypeError(
        "Tokenizer inputs must be strings (str or UTF-8 bytes). Received a "
        f"non-string element at position {position}: {_describe(value)}. "
        "Convert the data to text first, e.g. `str(x)`."
    )


def canonicalize_strings(inputs):
    """Flattens tokenizer inputs to a list of `str`.

    Args:
        inputs: a string, bytes, a (nested) list/tuple of them, or a numpy
            array of strings of any rank.

    Returns:
        `(texts, outer_shape)`: the flat list of strings and the shape of the
        input batch (`()` for a single string).
    """
    if isinstance(inputs, (str, bytes, np.str_, np.bytes_)):
        return [_to_str(inputs, 0)], ()
    if isinstance(inputs, np.ndarray):
        if inputs.dtype.kind not in ("U", "S", "O"):
            raise TypeError(
                "Tokenizer inputs must be strings. Received a numpy array of "
                f"dtype {inputs.dtype} with shape {inputs.shape}. Pass text, "
                "not token ids (use `detokenize` for ids)."
            )
        shape = inputs.shape
        flat = inputs.reshape(-1).tolist()
    elif isinstance(inputs, (list, tuple)):
        if inputs and set(map(type, inputs)) == {str}:  # The common case, checked in C.
            return list(inputs), (len(inputs),)
        shape, flat = _nested_shape(inputs)
    elif hasattr(inputs, "numpy") and hasattr(inputs, "dtype"):
        return canonicalize_strings(np.asarray(inputs.numpy()))
    else:
        raise TypeError(
            "Tokenizer inputs must be a string, bytes, a list of strings or a "
            f"numpy array of strings. Received: {_describe(inputs)}."
        )
    if len(flat) == 0:
        raise ValueError(
            "Tokenizer inputs must not be an empty batch. Received: an empty "
            f"{type(inputs).__name__} (shape {tuple(shape)}). Skip empty "
            "batches before tokenizing."
        )
    return [_to_str(value, i) for i, value in enumerate(flat)], tuple(shape)


def _nested_shape(inputs):
    if len(inputs) == 0 or not isinstance(inputs[0], (list, tuple)):
        for i, value in enumerate(inputs):
            if isinstance(value, (list, tuple, np.ndarray)):
                raise ValueError(
                    "Tokenizer inputs must be a rectangular batch of strings. "
                    f"Received a nested sequence at position {i} among strings."
                )
        return (len(inputs),), list(inputs)
    shapes, flat = [], []
    for row in inputs:
        if not isinstance(row, (list, tuple)):
            raise ValueError(
                "Tokenizer inputs must be a rectangular batch of strings. "
                f"Received a mix of rows and strings: {_describe(inputs)}."
            )
        row_shape, row_flat = _nested_shape(row)
        shapes.append(row_shape)
        flat.extend(row_flat)
    if any(s != shapes[0] for s in shapes):
        raise ValueError(
            "Tokenizer inputs must be a rectangular batch of strings. "
            f"Received rows of different shapes: {sorted(set(shapes))}."
        )
    return (len(inputs), *shapes[0]), flat


def canonicalize_ids(inputs):
    """Turns token ids (list, nested list, array, tensor) into rows of ints.

    Returns:
        `(rows, outer_shape)`, where `outer_shape` is `()` for a single
        sequence and the batch shape otherwise.
    """
    if hasattr(inputs, "shape") and not isinstance(inputs, np.ndarray):
        try:
            import keras

            inputs = keras.ops.convert_to_numpy(inputs)
        except Exception:
            inputs = np.asarray(inputs)
    if isinstance(inputs, np.ndarray):
        if inputs.dtype.kind not in ("i", "u"):
            raise TypeError(
                "`detokenize` expects integer token ids. Received an array of "
                f"dtype {inputs.dtype}."
            )
        if inputs.ndim == 0:
            return [[int(inputs)]], ()
        if inputs.ndim == 1:
            return [inputs.tolist()], ()
        return inputs.reshape(-1, inputs.shape[-1]).tolist(), inputs.shape[:-1]
    if isinstance(inputs, (int, np.integer)):
        return [[int(inputs)]], ()
    if isinstance(inputs, (list, tuple)):
        if len(inputs) == 0 or not isinstance(inputs[0], (list, tuple, np.ndarray)):
            return [_check_int_row(inputs)], ()
        rows = [_check_int_row(list(np.asarray(row).tolist())) for row in inputs]
        return rows, (len(rows),)
    raise TypeError(
        "`detokenize` expects token ids: a list of ints, a list of lists or an "
        f"integer array. Received: {_describe(inputs)}."
    )


def _check_int_row(row):
    row = list(row)
    for value in row:
        if not isinstance(value, (int, np.integer)) or isinstance(value, bool):
            raise TypeError(
                "`detokenize` expects integer token ids. Received a "
                f"non-integer element: {_describe(value)}."
            )
    return [int(v) for v in row]


def restore_strings(strings, outer_shape):
    """Gives back one string or a nested list with the input's batch shape."""
    if outer_shape == ():
        return strings[0]
    return np.array(strings, dtype=object).reshape(outer_shape).tolist()


def ragged_or_dense(rows, outer_shape, sequence_length, dtype, pad_value=0):
    """Shapes per-string token lists like keras_hub does.

    A single string gives a 1D numpy array; a batch gives a (nested) list of
    Python lists, or a dense `(..., sequence_length)` numpy array (padded with
    `pad_value`, truncated) when `sequence_length` is set. String tokens stay
    Python lists of `str` (padded with `""`).
    """
    is_string = dtype == "string"
    if sequence_length is not None:
        pad = "" if is_string else pad_value
        rows = [row[:sequence_length] + [pad] * (sequence_length - len(row)) for row in rows]
        if is_string:
            return rows[0] if outer_shape == () else _reshape_list(rows, outer_shape)
        array = np.array(rows, dtype=dtype).reshape(*outer_shape, sequence_length)
        return array
    if outer_shape == ():
        return rows[0] if is_string else np.array(rows[0], dtype=dtype)
    return _reshape_list(rows, outer_shape)


def _reshape_list(rows, outer_shape):
    if len(outer_shape) == 1:
        return rows
    step = int(np.prod(outer_shape[1:]))
    return [_reshape_list(rows[i * step : (i + 1) * step], outer_shape[1:]) for i in range(outer_shape[0])]


def dense_from_flat(flat, row_lengths, sequence_length, dtype, pad_value=0):
    """Builds a `(num_rows, sequence_length)` array from concatenated rows."""
    num_rows = len(row_lengths)
    out = np.full((num_rows, sequence_length), pad_value, dtype=dtype)
    if len(flat) == 0:
        return out
    row_lengths = np.asarray(row_lengths, dtype=np.int64)
    row_starts = np.cumsum(row_lengths) - row_lengths
    rows = np.repeat(np.arange(num_rows), row_lengths)
    cols = np.arange(len(flat)) - np.repeat(row_starts, row_lengths)
    keep = cols < sequence_length
    out[rows[keep], cols[keep]] = flat[keep]
    return out


@contextlib.contextmanager
def gc_paused():
    """Pauses the cyclic garbage collector (if on) while building many lists.

    Creating thousands of lists triggers collections that traverse them
    (and every other young object) again and again; the lists built here
    hold only ints, so no cycle is missed. Reference counting still frees
    everything as usual.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def ragged_from_flat(flat, row_lengths, int_objects=None):
    """Splits concatenated rows into a list of Python lists.

    Args:
        flat: 1D integer numpy array, the rows one after the other.
        row_lengths: 1D integer array, the length of each row.
        int_objects: optional object array with `int_objects[i] == i` for
            every value in `flat`: the lists then share these Python ints
            instead of allocating one per element (faster for a vocabulary).
    """
    ends = np.cumsum(row_lengths)
    with gc_paused():
        values = flat.tolist() if int_objects is None else int_objects[flat].tolist()
        return list(map(values.__getitem__, map(slice, (ends - row_lengths).tolist(), ends.tolist())))
