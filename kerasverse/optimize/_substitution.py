"""Calling a layer with some of its variables replaced by tensors.

Every optimize wrapper (pruning, clustering, quantization) computes a new value
for some weights of the layer it wraps (kernel * mask, gathered centroids,
fake-quantized kernel) and runs the wrapped layer's own `call` with it. The
attributes holding those variables are swapped for the computed tensors for the
duration of the call and put back afterwards, so gradients flow through the
computation on every backend and the trainer's stateless call (`jax.jit`) sees
only ordinary traced values.
"""

import contextlib

import keras


def find_variable_slots(layer, variables):
    """Finds where `layer` (or one of its sublayers) keeps each variable.

    Args:
        layer: a built Keras layer.
        variables: the variables to locate.

    Returns:
        A list, one entry per variable, of `(owner_layer, attribute_name)`.

    Raises:
        ValueError: a variable is not held as a direct attribute.
    """
    owners = layer._flatten_layers(include_self=True, recursive=True)
    slots = []
    for variable in variables:
        found = None
        for owner in owners:
            for name, value in vars(owner).items():
                if value is variable:
                    found = (owner, name)
                    break
            if found:
                break
        if found is None:
            raise ValueError(
                f"Layer '{layer.name}' ({type(layer).__name__}) does not keep the weight "
                f"'{variable.path}' as an attribute, so it cannot be replaced during the call. "
                "Received a weight held in a container. Keep each optimizable weight in its own "
                "attribute (e.g. `self.kernel = self.add_weight(...)`)."
            )
        slots.append(found)
    return slots


@contextlib.contextmanager
def substituted(slots, values):
    """Within the block, the attributes in `slots` hold `values`."""
    saved = []
    try:
        for (owner, name), value in zip(slots, values):
            original = owner.__dict__[name]
            saved.append((owner, name, original))
            object.__setattr__(owner, name, _like_autocast(owner, original, value))
        yield
    finally:
        for owner, name, original in reversed(saved):
            object.__setattr__(owner, name, original)


def _like_autocast(owner, original, value):
    # Under a mixed precision policy Keras reads float variables in the
    # layer's compute dtype; the replacement tensor must match.
    compute_dtype = getattr(owner, "compute_dtype", None)
    if (
        compute_dtype
        and "float" in str(getattr(original, "dtype", ""))
        and "float" in str(compute_dtype)
        and keras.backend.standardize_dtype(value.dtype) != compute_dtype
    ):
        return keras.ops.cast(value, compute_dtype)
    return value


def call_inner(layer, args, kwargs, training):
    """Calls `layer` with `training` forwarded only when it accepts it."""
    if training is not None and getattr(layer, "_call_has_training_arg", False):
        kwargs = {**kwargs, "training": training}
    return layer(*args, **kwargs)


def rebuild_like(layer):
    """A fresh copy of `layer` (same config, built the same way, same weights)."""
    fresh = layer.__class__.from_config(layer.get_config())
    if layer.built:
        build_config = layer.get_build_config()
        if build_config:
            fresh.build_from_config(build_config)
        if fresh.built:
            fresh.set_weights(layer.get_weights())
    return fresh


def is_input_layer(layer):
    return isinstance(layer, keras.layers.InputLayer)
