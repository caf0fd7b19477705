"""`RotaryEmbedding`: rotary position embedding (RoPE)."""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="kerasverse")
class RotaryEmbedding(keras.layers.Layer):
    """Rotary position embedding (Su et al., 2021), applied to queries or keys.

    The feature axis is split in two halves `(x1, x2)`; each pair is rotated
    by the angle `position * inverse_frequency`:
    `(x1 cos - x2 sin, x2 cos + x1 sin)`, with inverse frequencies
    `1 / max_wavelength^(2i / d)` (the "half rotation" layout of GPT-NeoX,
    Llama and keras_hub). No weights.

    Args:
        max_wavelength: the longest wavelength.
        scaling_factor: positions are divided by this (linear RoPE scaling).
        sequence_axis: the axis of positions in the inputs.
        feature_axis: the axis of features in the inputs.
        **kwargs: `keras.layers.Layer` arguments.

    Call arguments:
        inputs: e.g. `(batch_size, sequence_length, num_heads, head_dim)`.
        start_index: position of the first token.

    Example:

    ```python
    import numpy as np
    query = np.random.rand(1, 8, 2, 16).astype("float32")
    rotated = RotaryEmbedding(sequence_axis=1, feature_axis=-1)(query)
    ```
    """

    def __init__(self, max_wavelength=10000, scaling_factor=1.0, sequence_axis=1, feature_axis=-1, **kwargs):
        super().__init__(**kwargs)
        if not scaling_factor > 0:
            raise ValueError(f"`scaling_factor` must be positive. Received: scaling_factor={scaling_factor!r}")
        self.max_wavelength = max_wavelength
        self.scaling_factor = scaling_factor
        self.sequence_axis = sequence_axis
        self.feature_axis = feature_axis
        self.built = True

    def call(self, inputs, start_index=0):
        rank = len(inputs.shape)
        sequence_axis = self.sequence_axis % rank
        feature_axis = self.feature_axis % rank
        shape = ops.shape(inputs)
        length, dim = shape[sequence_axis], shape[feature_axis]
        if isinstance(dim, int) and dim % 2:
            raise ValueError(f"RotaryEmbedding needs an even feature size. Received: {dim} on axis {self.feature_axis}")
        dtype = self.compute_dtype
        inverse_frequency = 1.0 / ops.power(
            ops.cast(self.max_wavelength, "float32"), ops.cast(ops.arange(0, dim, 2), "float32") / ops.cast(dim, "float32")
        )
        positions = (ops.cast(ops.arange(length), "float32") + ops.cast(start_index, "float32")) / self.scaling_factor
        angles = ops.einsum("i,j->ij", positions, inverse_frequency)
        angles = ops.concatenate([angles, angles], axis=-1)  # (length, dim)
        # Put the (length, dim) angles on the inputs' sequence and feature axes.
        broadcast_shape = [1] * rank
        broadcast_shape[sequence_axis] = length
        broadcast_shape[feature_axis] = dim
        if sequence_axis > feature_axis:
            angles = ops.transpose(angles)
        angles = ops.reshape(angles, broadcast_shape)
        cos = ops.cast(ops.cos(angles), dtype)
        sin = ops.cast(ops.sin(angles), dtype)
        x1, x2 = ops.split(inputs, 2, axis=feature_axis)
        rotated = ops.concatenate([-x2, x1], axis=feature_axis)
        return inputs * cos + rotated * sin

    def compute_output_shape(self, inputs_shape):
        return inputs_shape

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "max_wavelength": self.max_wavelength,
                "scaling_factor": self.scaling_factor,
                "sequence_axis": self.sequence_axis,
                "feature_axis": self.feature_axis,
            }
        )
        return config
