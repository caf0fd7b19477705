"""`prune_low_magnitude`, `strip_pruning`, `prune_scope`."""

import keras
from keras import ops

from kerasverse.optimize import _model_utils
from kerasverse.optimize import _substitution
from kerasverse.optimize.sparsity import prune_registry
from kerasverse.optimize.sparsity.pruning_schedule import ConstantSparsity
from kerasverse.optimize.sparsity.pruning_schedule import PolynomialDecay
from kerasverse.optimize.sparsity.pruning_wrapper import PruneLowMagnitude


def prune_low_magnitude(
    to_prune,
    pruning_schedule=None,
    block_size=(1, 1),
    block_pooling_type="AVG",
    sparsity_m_by_n=None,
    **kwargs,
):
    """Makes a layer, a list of layers or a model prunable (magnitude pruning).

    Same name and arguments as `tfmot.sparsity.keras.prune_low_magnitude`.
    For a Sequential or Functional model, every prunable layer (Dense,
    EinsumDense, Conv1D/2D/3D and transposed, DepthwiseConv, SeparableConv,
    Embedding, MultiHeadAttention, or any layer implementing
    `get_prunable_weights`) is wrapped in `PruneLowMagnitude`, layers without
    weights and normalization layers are copied as they are, and any other
    layer with weights raises a ValueError. Weights are copied: the input
    model is left untouched. Layers the model already wraps are kept.

    Args:
        to_prune: a `keras.layers.Layer`, a list of layers, or a Sequential or
            Functional `keras.Model`.
        pruning_schedule: a `PruningSchedule`; default
            `ConstantSparsity(0.5, begin_step=0, frequency=100)`.
        block_size: `(rows, cols)` pruned together; `(1, 1)` is element-wise.
        block_pooling_type: `"AVG"` (the only one).
        sparsity_m_by_n: e.g. `(2, 4)` for 2:4 structured sparsity.
        **kwargs: passed to each `PruneLowMagnitude` (for a single layer).

    Returns:
        The wrapped layer, list of wrapped layers, or the new model.

    Example:

    ```python
    from kerasverse.optimize import sparsity

    pruned = sparsity.prune_low_magnitude(
        model, pruning_schedule=sparsity.PolynomialDecay(0.0, 0.8, 0, 1000)
    )
    pruned.compile("adam", "sparse_categorical_crossentropy")
    pruned.fit(x, y, epochs=2, callbacks=[sparsity.UpdatePruningStep()])
    final = sparsity.strip_pruning(pruned)
    ```
    """
    params = {
        "pruning_schedule": pruning_schedule,
        "block_size": block_size,
        "block_pooling_type": block_pooling_type,
        "sparsity_m_by_n": sparsity_m_by_n,
    }
    if isinstance(to_prune, (list, tuple)):
        return [prune_low_magnitude(layer, **params, **kwargs) for layer in to_prune]
    if isinstance(to_prune, keras.Model):
        _model_utils.check_model(to_prune, "prune_low_magnitude")

        def wrap(layer):
            if isinstance(layer, PruneLowMagnitude):
                return _copy_wrapper(layer)
            if prune_registry.supports(layer):
                return PruneLowMagnitude(_substitution.rebuild_like(layer), **params)
            if prune_registry.is_left_dense(layer):
                return None
            raise prune_registry.unsupported_layer_error(layer)

        return _model_utils.rewrite_model(to_prune, wrap)
    if isinstance(to_prune, keras.layers.Layer):
        return PruneLowMagnitude(to_prune, **params, **kwargs)
    raise ValueError(
        "`prune_low_magnitude` expects a Keras layer, a list of layers or a Keras model. "
        f"Received: {type(to_prune).__name__}."
    )


def _copy_wrapper(wrapper):
    copy = PruneLowMagnitude.from_config(wrapper.get_config())
    copy.build_from_config(wrapper.get_build_config())
    copy.set_weights(wrapper.get_weights())
    return copy


def _contains_wrappers(model, wrapper_cls):
    return any(
        isinstance(layer, wrapper_cls)
        for layer in model._flatten_layers(include_self=False, recursive=True)
    )


def strip_pruning(model):
    """Removes the pruning wrappers: a plain Keras model with the zeros baked in.

    Each `PruneLowMagnitude` is replaced by a copy of the layer it wraps whose
    pruned weights are `weight * mask`. Other layers are copied with their
    weights.

    Args:
        model: a Sequential or Functional model containing `PruneLowMagnitude`
            layers.

    Returns:
        A new model made only of the original layer types.

    Example:

    ```python
    final = sparsity.strip_pruning(pruned)
    final.save("pruned.keras")  # loads without kerasverse
    ```
    """
    _model_utils.check_model(model, "strip_pruning")
    if not _contains_wrappers(model, PruneLowMagnitude):
        raise ValueError(
            f"`strip_pruning` expects a model with pruning wrappers. Received model "
            f"'{model.name}' without any `PruneLowMagnitude` layer. Call it on the model "
            "returned by `prune_low_magnitude` (after training)."
        )

    def unwrap(layer):
        if not isinstance(layer, PruneLowMagnitude):
            return None
        return strip_layer(layer)

    return _model_utils.rewrite_model(model, unwrap)


def strip_layer(wrapper):
    """A copy of the layer inside `wrapper` with `weight * mask` as weights."""
    plain = _substitution.rebuild_like(wrapper.layer)
    for weight, mask in zip(prune_registry.get_prunable_weights(plain), wrapper.masks):
        weight.assign(ops.multiply(weight, mask))
    return plain


def prune_scope():
    """A scope to load models holding pruning wrappers (tfmot compatibility).

    kerasverse registers its classes with Keras, so `keras.saving.load_model`
    finds them without the scope; it is kept so tfmot code runs unchanged.

    Example:

    ```python
    with sparsity.prune_scope():
        model = keras.saving.load_model("pruned.keras")
    ```
    """
    return keras.saving.custom_object_scope(
        {
            "PruneLowMagnitude": PruneLowMagnitude,
            "ConstantSparsity": ConstantSparsity,
            "PolynomialDecay": PolynomialDecay,
        }
    )
