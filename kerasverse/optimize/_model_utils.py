"""Rewriting Sequential/Functional models layer by layer (shared by optimize)."""

import keras

from kerasverse.optimize import _substitution


def check_model(model, function_name):
    """Raises unless `model` is a Sequential or Functional Keras model."""
    if not isinstance(model, keras.Model):
        raise ValueError(
            f"`{function_name}` expects a `keras.Model`. Received: {type(model).__name__}."
        )
    if not isinstance(model, keras.Sequential) and not _is_functional(model):
        raise ValueError(
            f"`{function_name}` works on Sequential and Functional models. Received a subclassed "
            f"model {type(model).__name__}; apply the wrapper to its layers inside the class "
            "instead, or rebuild it with the Functional API."
        )


def _is_functional(model):
    return type(model).__name__ == "Functional" or hasattr(model, "_operations") and hasattr(
        model, "_nodes_by_depth"
    )


def rewrite_model(model, rewrite_layer):
    """Clones `model`, replacing each layer by `rewrite_layer(layer)`.

    `rewrite_layer` returns a new layer (built or not); when it returns None
    the layer is copied with its weights. Input layers are kept. Nested
    Sequential/Functional models are rewritten layer by layer too; the
    result is a plain Functional (or Sequential) model.
    """

    def clone_function(layer):
        if _substitution.is_input_layer(layer):
            return layer
        new_layer = rewrite_layer(layer)
        if new_layer is None:
            new_layer = _substitution.rebuild_like(layer)
        return new_layer

    input_tensors = None
    if not isinstance(model, keras.Sequential):
        # Keep the input layers' names (clone_model would name them after the
        # symbolic tensors): exporters use them as signature names.
        input_tensors = keras.tree.map_structure(
            lambda x: keras.Input(
                batch_shape=x.shape, dtype=x.dtype, name=x._keras_history.operation.name
            ),
            model.input,
        )
    return keras.models.clone_model(
        model, input_tensors=input_tensors, clone_function=clone_function, recursive=True
    )


def contains(model, layer_types):
    """Whether `model` (nested models included) has a layer of `layer_types`."""
    return any(
        isinstance(layer, layer_types)
        for layer in model._flatten_layers(include_self=False, recursive=True)
    )
