"""`QuantizeAnnotate`: marks a layer for `quantize_apply` (no effect on the call)."""

import keras

from kerasverse.optimize._weight_wrapper import keep_input_shape
from kerasverse.optimize.quantization.quantize_config import QuantizeConfig


@keras.saving.register_keras_serializable(package="kerasverse")
class QuantizeAnnotate(keras.layers.Wrapper):
    """Marks `layer` to be quantized by `quantize_apply`; calls it unchanged.

    Usually created through `quantize_annotate_layer`.

    Args:
        layer: the layer to quantize later.
        quantize_config: an optional `QuantizeConfig` (needed for layers
            kerasverse does not know).
        **kwargs: base layer arguments.

    Example:

    >>> import keras
    >>> from kerasverse.optimize import quantization
    >>> annotated = quantization.QuantizeAnnotate(keras.layers.Dense(2))
    >>> tuple(annotated(keras.ops.ones((1, 3))).shape)
    (1, 2)
    """

    def __init__(self, layer, quantize_config=None, **kwargs):
        if isinstance(quantize_config, dict):
            quantize_config = keras.saving.deserialize_keras_object(quantize_config)
        if quantize_config is not None and not isinstance(quantize_config, QuantizeConfig):
            raise ValueError(
                "Argument `quantize_config` must be a `QuantizeConfig` or None. "
                f"Received: {type(quantize_config).__name__}."
            )
        kwargs.setdefault("name", f"quant_annotate_{layer.name}")
        super().__init__(layer, **kwargs)
        keep_input_shape(self, layer)
        self.quantize_config = quantize_config

    def build(self, input_shape=None):
        if not self.layer.built:
            self.layer.build(input_shape)
        self.built = True

    def call(self, inputs, *args, **kwargs):
        return self.layer(inputs, *args, **kwargs)

    @classmethod
    def from_config(cls, config, custom_objects=None):
        return super().from_config(dict(config), custom_objects=custom_objects)

    def get_config(self):
        config = super().get_config()
        config["quantize_config"] = (
            None
            if self.quantize_config is None
            else keras.saving.serialize_keras_object(self.quantize_config)
        )
        return config
