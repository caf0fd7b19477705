"""`SpatialPyramidPooling`: atrous spatial pyramid pooling (ASPP, DeepLabV3)."""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="kerasverse")
class SpatialPyramidPooling(keras.layers.Layer):
    """Parallel dilated convolutions and image pooling, concatenated and projected.

    Branches: a 1x1 convolution, one 3x3 convolution per dilation rate, and a
    global average pool (1x1 convolution, broadcast back to the feature
    size); each has batch norm and `activation`. The concatenation goes
    through a 1x1 projection and dropout.

    Args:
        dilation_rates: dilation rate of each 3x3 branch.
        num_channels: output channels of each branch and of the result.
        activation: activation of every branch.
        dropout: dropout rate after the projection.

    Example:

    >>> import numpy as np
    >>> layer = SpatialPyramidPooling(dilation_rates=[2, 4], num_channels=8)
    >>> tuple(layer(np.zeros((1, 16, 16, 4), "float32")).shape)
    (1, 16, 16, 8)
    """

    def __init__(self, dilation_rates, num_channels=256, activation="relu", dropout=0.0, **kwargs):
        super().__init__(**kwargs)
        self.dilation_rates = [int(rate) for rate in dilation_rates]
        self.num_channels = num_channels
        self.activation = activation
        self.dropout = dropout

    def _branch(self, kernel_size, dilation_rate, name):
        return [
            keras.layers.Conv2D(
                self.num_channels, kernel_size, padding="same", dilation_rate=dilation_rate,
                use_bias=False, name=f"{name}_conv",
            ),
            keras.layers.BatchNormalization(name=f"{name}_bn"),
            keras.layers.Activation(self.activation, name=f"{name}_act"),
        ]

    def build(self, input_shape):
        self.branches = [self._branch(1, 1, "branch0")] + [
            self._branch(3, rate, f"branch{index + 1}") for index, rate in enumerate(self.dilation_rates)
        ]
        self.pooling_branch = self._branch(1, 1, "pooling")
        self.projection = self._branch(1, 1, "projection")
        self.dropout_layer = keras.layers.Dropout(self.dropout)
        channels = input_shape[-1]
        feature_shape = tuple(input_shape[:-1])
        for branch in self.branches + [self.pooling_branch]:
            shape = (input_shape[0], 1, 1, channels) if branch is self.pooling_branch else tuple(input_shape)
            for layer in branch:
                layer.build(shape)
                shape = layer.compute_output_shape(shape)
        concat_shape = feature_shape + (self.num_channels * (len(self.branches) + 1),)
        for layer in self.projection:
            layer.build(concat_shape)
            concat_shape = layer.compute_output_shape(concat_shape)

    def call(self, inputs, training=None):
        outputs = []
        for branch in self.branches:
            x = inputs
            for layer in branch:
                x = layer(x, training=training) if isinstance(layer, keras.layers.BatchNormalization) else layer(x)
            outputs.append(x)
        pooled = ops.mean(inputs, axis=(1, 2), keepdims=True)
        for layer in self.pooling_branch:
            pooled = layer(pooled, training=training) if isinstance(layer, keras.layers.BatchNormalization) else layer(pooled)
        shape = ops.shape(inputs)
        outputs.append(ops.broadcast_to(pooled, (shape[0], shape[1], shape[2], self.num_channels)))
        x = ops.concatenate(outputs, axis=-1)
        for layer in self.projection:
            x = layer(x, training=training) if isinstance(layer, keras.layers.BatchNormalization) else layer(x)
        return self.dropout_layer(x, training=training)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.num_channels,)

    def get_config(self):
        return {
            **super().get_config(),
            "dilation_rates": self.dilation_rates,
            "num_channels": self.num_channels,
            "activation": self.activation,
            "dropout": self.dropout,
        }
