"""Mask helpers shared by `TransformerEncoder` and `TransformerDecoder`."""

import keras
from keras import ops


def compute_causal_mask(batch_size, input_length, output_length, cache_index=0):
    """A boolean causal mask of shape `(batch_size, output_length, input_length)`.

    Query `i` (at absolute position `i + cache_index`) may attend to key `j`
    when `j <= i + cache_index`. With a KV cache, `input_length` is the cache
    length and `cache_index` the position of the first query.

    Example:

    >>> import numpy as np
    >>> mask = compute_causal_mask(1, 3, 3)
    >>> np.asarray(keras.ops.convert_to_numpy(mask))[0].astype(int).tolist()
    [[1, 0, 0], [1, 1, 0], [1, 1, 1]]
    """
    i = ops.expand_dims(ops.arange(output_length, dtype="int32") + cache_index, axis=1)
    j = ops.expand_dims(ops.arange(input_length, dtype="int32"), axis=0)
    mask = ops.expand_dims(ops.greater_equal(i, j), axis=0)
    return ops.broadcast_to(mask, (batch_size, output_length, input_length))


def merge_padding_and_attention_mask(inputs, padding_mask, attention_mask):
    """Combines a `(batch, seq)` padding mask and a `(batch, seq, seq)` attention mask.

    The padding mask defaults to the Keras mask carried by `inputs` (set by an
    embedding with `mask_zero=True`). Returns a boolean `(batch, seq, seq)`
    mask or `None` when neither mask is given.
    """
    mask = padding_mask
    if mask is None:
        mask = getattr(inputs, "_keras_mask", None)
    if mask is not None:
        if len(mask.shape) != 2:
            raise ValueError(
                "`padding_mask` must have shape (batch_size, sequence_length). "
                f"Received: padding_mask with shape {tuple(mask.shape)}"
            )
        mask = ops.expand_dims(ops.cast(mask, "bool"), axis=1)
    if attention_mask is not None:
        attention_mask = ops.cast(attention_mask, "bool")
        if len(attention_mask.shape) != 3:
            raise ValueError(
                "`attention_mask` must have shape (batch_size, target_length, source_length). "
                f"Received: attention_mask with shape {tuple(attention_mask.shape)}"
            )
        return attention_mask if mask is None else ops.logical_and(mask, attention_mask)
    return mask


def gelu_approximate(x):
    """GELU with the tanh approximation (GPT-2's `gelu_new`)."""
    return keras.activations.gelu(x, approximate=True)


def get_activation(activation):
    """`keras.activations.get`, plus the name `"gelu_approximate"`."""
    if activation == "gelu_approximate":
        return gelu_approximate
    return keras.activations.get(activation)


def check_positive_int(name, value):
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(f"`{name}` must be a positive integer. Received: {name}={value!r}")


def clone_initializer(initializer):
    """A fresh copy of a Keras initializer (so sublayers do not share its seed).

    Copies through `get_config` rather than `keras.initializers.serialize`,
    which imports TensorFlow whenever it is installed.
    """
    initializer = keras.initializers.get(initializer)
    return initializer.__class__.from_config(initializer.get_config())
