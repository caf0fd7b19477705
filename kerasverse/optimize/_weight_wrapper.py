"""`WeightWrapper`: the build logic the pruning, clustering and QAT wrappers share."""

import keras


class WeightWrapper(keras.layers.Wrapper):
    """A `keras.layers.Wrapper` that adds its own variables once the layer is built.

    Subclasses implement `_create_wrapper_variables()` (masks, centroids,
    quantization ranges, ...). It runs after the wrapped layer is built, both
    on a first call and when a saved model is rebuilt from its build config.
    """

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
