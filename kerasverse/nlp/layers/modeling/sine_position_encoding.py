"""`SinePositionEncoding`: the fixed sinusoidal position encoding."""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="kerasverse")
class SinePositionEncoding(keras.layers.Layer):
    """Sinusoidal position encoding of "Attention Is All You Need".

    Position `p`, channel `2i` gets `sin(p / max_wavelength^(2i / d))` and
    channel `2i + 1` gets `cos(...)` of the same angle. No weights.

    Args:
        max_wavelength: the longest wavelength of the sinusoids.
        **kwargs: `keras.layers.Layer` arguments.

    Call arguments:
        inputs: `(batch_size, sequence_length, hidden_dim)`.
        start_index: position of the first token.

    Example:

    ```python
    import numpy as np
    encoding = SinePositionEncoding()(np.zeros((1, 4, 6), "float32"))  # (1, 4, 6)
    ```
    """

    def __init__(self, max_wavelength=10000, **kwargs):
        super().__init__(**kwargs)
        if not max_wavelength > 0:
            raise ValueError(f"`max_wavelength` must be positive. Received: max_wavelength={max_wavelength!r}")
        self.max_wavelength = max_wavelength
        self.built = True

    def call(self, inputs, start_index=0):
        shape = ops.shape(inputs)
        length, hidden_dim = shape[-2], shape[-1]
        positions = ops.cast(ops.arange(length) + start_index, self.compute_dtype)
        channels = ops.arange(hidden_dim)
        exponents = ops.cast(2 * (channels // 2), self.compute_dtype) / ops.cast(hidden_dim, self.compute_dtype)
        timescales = ops.power(ops.cast(1 / self.max_wavelength, self.compute_dtype), exponents)
        angles = ops.expand_dims(positions, 1) * ops.expand_dims(timescales, 0)
        is_cos = ops.expand_dims(ops.equal(channels % 2, 1), 0)
        encoding = ops.where(is_cos, ops.cos(angles), ops.sin(angles))
        return ops.broadcast_to(encoding, shape)

    def compute_output_shape(self, inputs_shape):
        return inputs_shape

    def get_config(self):
        config = super().get_config()
        config.update({"max_wavelength": self.max_wavelength})
        return config
