"""Which built-in Keras layers are prunable, and which weights of each."""

import keras

# Layer class -> attribute names (of the layer itself or, dotted, of a
# sublayer) holding the weights to prune.
_PRUNABLE = {
    keras.layers.Dense: ("kernel",),
    keras.layers.EinsumDense: ("kernel",),
    keras.layers.Conv1D: ("kernel",),
    keras.layers.Conv2D: ("kernel",),
    keras.layers.Conv3D: ("kernel",),
    keras.layers.Conv1DTranspose: ("kernel",),
    keras.layers.Conv2DTranspose: ("kernel",),
    keras.layers.Conv3DTranspose: ("kernel",),
    keras.layers.DepthwiseConv1D: ("kernel",),
    keras.layers.DepthwiseConv2D: ("kernel",),
    keras.layers.SeparableConv1D: ("pointwise_kernel",),
    keras.layers.SeparableConv2D: ("pointwise_kernel",),
    keras.layers.Embedding: ("embeddings",),
    keras.layers.MultiHeadAttention: (
        "_query_dense.kernel",
        "_key_dense.kernel",
        "_value_dense.kernel",
        "_output_dense.kernel",
    ),
}

# Layers with weights that are left dense (as tfmot does): normalization and
# the like. Layers without weights are always left alone.
_NOT_PRUNED = (
    keras.layers.BatchNormalization,
    keras.layers.LayerNormalization,
    keras.layers.GroupNormalization,
    keras.layers.UnitNormalization,
    keras.layers.Normalization,
    keras.layers.PReLU,
)


def _resolve(layer, dotted_name):
    owner = layer
    for part in dotted_name.split("."):
        owner = getattr(owner, part)
    return owner


def supports(layer):
    """Whether `layer` can be wrapped: built-in prunable or user `PrunableLayer`."""
    return type(layer) in _PRUNABLE or callable(getattr(layer, "get_prunable_weights", None))


def is_left_dense(layer):
    """Whether the layer is never pruned (no weights, or a normalization layer)."""
    return isinstance(layer, _NOT_PRUNED) or not layer.weights


def get_prunable_weights(layer):
    """The variables of a built layer that pruning masks."""
    if callable(getattr(layer, "get_prunable_weights", None)):
        return list(layer.get_prunable_weights())
    names = _PRUNABLE.get(type(layer))
    if names is None:
        raise unsupported_layer_error(layer)
    return [_resolve(layer, name) for name in names]


def unsupported_layer_error(layer):
    return ValueError(
        f"Layer '{layer.name}' of type {type(layer).__name__} cannot be pruned. Received an "
        "unsupported layer. Supported: "
        + ", ".join(sorted(cls.__name__ for cls in _PRUNABLE))
        + ". For your own layer, subclass `kerasverse.optimize.sparsity.PrunableLayer` and "
        "implement `get_prunable_weights()`, or leave the layer out of pruning by wrapping "
        "only the layers you want (pass a `clone_function`-style selection, see docs)."
    )
