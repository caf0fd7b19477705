"""`WeightWrapper`: the build logic the pruning, clustering and QAT wrappers share."""

import keras


def keep_input_shape(wrapper, layer):
    """Carries `layer`'s `input_shape=` argument over to `wrapper`.

    `Sequential` builds itself from the first layer's `input_shape`
    (`Dense(4, input_shape=(20,))`); once that layer is wrapped, the wrapper
    is the first layer, so it must carry the shape too (as tfmot's wrappers
    do).
    """
    shape = getattr(layer, "_input_shape_arg", None)
    if shape is not None and getattr(wrapper, "_input_shape_arg", None) is None:
        wrapper._input_shape_arg = shape


class WeightWrapper(keras.layers.Wrapper):
    """A `keras.layers.Wrapper` that adds its own variables once the layer is built.

    Subclasses implement `_create_wrapper_variables()` (masks, centroids,
    quantization ranges, ...). It runs after the wrapped layer is built, both
    on a first call and when a saved model is rebuilt from its build config.
    """

    def __init__(self, layer, **kwargs):
        super().__init__(layer, **kwargs)
        keep_input_shape(self, layer)

    def build(self, input_shape=None):
        if not self.layer.built:
            # Layers built from several shapes (MultiHeadAttention) must be
            # built before wrapping; the `*_model` entry points do that.
            self.layer.build(input_shape)
        self._create_wrapper_variables()
        self.built = True

    def get_build_config(self):
        if not self.built:
            return None
        return {"layer": self.layer.get_build_config()}

    def build_from_config(self, config):
        if not config or not config.get("layer"):
            return
        if not self.layer.built:
            self.layer.build_from_config(config["layer"])
        self._create_wrapper_variables()
        self.built = True

    def _create_wrapper_variables(self):
        raise NotImplementedError(f"{type(self).__name__} must implement `_create_wrapper_variables`.")
