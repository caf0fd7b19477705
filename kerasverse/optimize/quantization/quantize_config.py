"""`QuantizeConfig`: which weights and outputs of a layer are fake-quantized."""

import keras

# Built-in layers: attribute names of the weights quantized per channel.
WEIGHTED_LAYERS = {
    keras.layers.Dense: ("kernel",),
    keras.layers.EinsumDense: ("kernel",),
    keras.layers.Conv1D: ("kernel",),
    keras.layers.Conv2D: ("kernel",),
    keras.layers.Conv3D: ("kernel",),
    keras.layers.Conv1DTranspose: ("kernel",),
    keras.layers.Conv2DTranspose: ("kernel",),
    keras.layers.DepthwiseConv1D: ("kernel",),
    keras.layers.DepthwiseConv2D: ("kernel",),
    keras.layers.SeparableConv1D: ("depthwise_kernel", "pointwise_kernel"),
    keras.layers.SeparableConv2D: ("depthwise_kernel", "pointwise_kernel"),
    keras.layers.Embedding: ("embeddings",),
}

# Layers whose output is quantized but which have no quantized weights.
OUTPUT_ONLY_LAYERS = (
    keras.layers.BatchNormalization,
    keras.layers.LayerNormalization,
    keras.layers.Activation,
    keras.layers.ReLU,
    keras.layers.Softmax,
    keras.layers.Add,
    keras.layers.Subtract,
    keras.layers.Multiply,
    keras.layers.Average,
    keras.layers.Concatenate,
    keras.layers.AveragePooling1D,
    keras.layers.AveragePooling2D,
    keras.layers.AveragePooling3D,
    keras.layers.GlobalAveragePooling1D,
    keras.layers.GlobalAveragePooling2D,
    keras.layers.GlobalAveragePooling3D,
    keras.layers.UpSampling2D,
)

# Layers that only move or select values: int8 in, the same int8 out. They
# are left unwrapped and pass their input's range on.
PASS_THROUGH_LAYERS = (
    keras.layers.InputLayer,
    keras.layers.Flatten,
    keras.layers.Reshape,
    keras.layers.Permute,
    keras.layers.Dropout,
    keras.layers.SpatialDropout1D,
    keras.layers.SpatialDropout2D,
    keras.layers.MaxPooling1D,
    keras.layers.MaxPooling2D,
    keras.layers.MaxPooling3D,
    keras.layers.GlobalMaxPooling1D,
    keras.layers.GlobalMaxPooling2D,
    keras.layers.ZeroPadding1D,
    keras.layers.ZeroPadding2D,
    keras.layers.Cropping1D,
    keras.layers.Cropping2D,
    keras.layers.Identity,
)


@keras.saving.register_keras_serializable(package="kerasverse")
class QuantizeConfig:
    """Says what `QuantizeWrapper` fake-quantizes in one layer.

    Two ways to use it:

    * Built-in style: `QuantizeConfig(weight_names=("kernel",))` quantizes
      those weights per output channel (symmetric) and the layer output
      (asymmetric, range learned by a moving average), with the bit widths of
      the scheme (8 by default). Built-in layers get one automatically.
    * tfmot style: subclass it and implement `get_weights_and_quantizers`,
      `get_activations_and_quantizers`, `set_quantize_weights`,
      `set_quantize_activations`, `get_output_quantizers` and `get_config`,
      returning `quantization.quantizers` objects (as in tfmot's
      comprehensive QAT guide). The wrapper then calls your quantizers: the
      weights you return are replaced for the duration of each call by their
      quantized values (your `set_quantize_weights` is not needed for
      variables the layer keeps in attributes, which is how Keras 3's layers
      keep them), and your `set_quantize_activations` receives activation
      functions that quantize after the original one (it is called again
      with the originals after the call).

    Args:
        weight_names: attribute names of the weights to quantize per output
            channel (symmetric, e.g. int8 in [-127, 127]). Each must hold a
            variable of the layer, e.g. `("kernel",)`.
        quantize_output: fake-quantize the layer output (asymmetric, range
            tracked by an exponential moving average in training).

    Example:

    >>> from kerasverse.optimize import quantization
    >>> config = quantization.QuantizeConfig(weight_names=("kernel",))
    >>> config.get_config()
    {'weight_names': ['kernel'], 'quantize_output': True}
    """

    def __init__(self, weight_names=(), quantize_output=True):
        if isinstance(weight_names, str) or not all(isinstance(n, str) for n in weight_names):
            raise ValueError(
                "Argument `weight_names` must be a list of attribute names such as "
                f"['kernel']. Received: weight_names={weight_names!r}."
            )
        self.weight_names = tuple(weight_names)
        self.quantize_output = bool(quantize_output)

    # tfmot's interface. The base class implements the built-in style; a
    # subclass that overrides `get_weights_and_quantizers` uses quantizers.
    def get_weights_and_quantizers(self, layer):
        """`[(weight_variable, Quantizer), ...]` for the layer's weights to quantize."""
        raise NotImplementedError

    def get_activations_and_quantizers(self, layer):
        """`[(activation_function, Quantizer), ...]` for activations to quantize."""
        return []

    def set_quantize_weights(self, layer, quantize_weights):
        """tfmot hook; not needed in Keras 3 (the wrapper substitutes the variables)."""

    def set_quantize_activations(self, layer, quantize_activations):
        """Puts the (quantizing) activation functions into `layer`."""

    def get_output_quantizers(self, layer):
        """`[Quantizer]` applied to the layer's outputs."""
        return []

    def uses_quantizers(self):
        """True for tfmot-style subclasses (they override `get_weights_and_quantizers`)."""
        return type(self).get_weights_and_quantizers is not QuantizeConfig.get_weights_and_quantizers

    def get_config(self):
        return {"weight_names": list(self.weight_names), "quantize_output": self.quantize_output}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def default_config(layer):
    """The `QuantizeConfig` of a built-in layer, or None when it is not supported."""
    if type(layer) in WEIGHTED_LAYERS:
        return QuantizeConfig(WEIGHTED_LAYERS[type(layer)], quantize_output=True)
    if isinstance(layer, OUTPUT_ONLY_LAYERS):
        return QuantizeConfig((), quantize_output=True)
    return None


def is_pass_through(layer):
    return isinstance(layer, PASS_THROUGH_LAYERS)


def unsupported_layer_error(layer):
    return ValueError(
        f"Layer '{layer.name}' of type {type(layer).__name__} is not supported by "
        "quantization-aware training. Received a layer with weights that kerasverse does not "
        "know how to quantize. Pass `quantize_config=QuantizeConfig(weight_names=[...])` to "
        "`quantize_annotate_layer` for it, or leave it in float by annotating only the other "
        "layers and calling `quantize_apply`."
    )
