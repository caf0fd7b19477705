"""Host-side helpers of the text metrics: inputs as Python strings/tokens."""

import numpy as np


def to_python(value):
    """Backend tensors and numpy arrays to (nested) Python lists/strings."""
    if hasattr(value, "shape") and not isinstance(value, np.ndarray):
        import keras

        value = keras.ops.convert_to_numpy(value)
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, bytes):
        return value.decode("utf-8")
    if isinstance(value, (list, tuple)):
        return [to_python(v) for v in value]
    return value


def string_batch(value, name):
    """A string or a list of strings -> list of strings."""
    value = to_python(value)
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        if not value:
            raise ValueError(f"`{name}` must not be an empty batch. Received: {name}=[]")
        return value
    if isinstance(value, list) and all(isinstance(v, list) and len(v) == 1 and isinstance(v[0], str) for v in value):
        return [v[0] for v in value]
    raise TypeError(
        f"`{name}` must be a string or a list of strings. Received: {name}={value!r:.80}"
    )


def read(variable):
    """A metric variable's value as numpy (without the deprecated `__array__` path)."""
    import keras

    return np.asarray(keras.ops.convert_to_numpy(variable.value))
