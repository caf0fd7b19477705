"""`DenseBlock`: fully connected layers (AutoKeras' search space)."""

import keras

from kerasverse.automl.block import Block
from kerasverse.automl.block import one_input
from kerasverse.automl.block import tunable


class DenseBlock(Block):
    """Dense layers, each optionally with batch normalization and dropout.

    Args:
        num_layers: Number of layers (default: searched in 1, 2, 3).
        num_units: Units of every layer (default: searched per layer in
            16 ... 1024).
        use_batchnorm: Batch normalization after each layer (default searched).
        dropout: Dropout rate (default: searched in 0, 0.25, 0.5).
        name: The block's name.

    Example:

    ```python
    output_node = ak.DenseBlock(num_layers=2)(ak.Input())
    ```
    """

    def __init__(self, num_layers=None, num_units=None, use_batchnorm=None, dropout=None, **kwargs):
        super().__init__(**kwargs)
        self.num_layers = num_layers
        self.num_units = num_units
        self.use_batchnorm = use_batchnorm
        self.dropout = dropout

    def build(self, hp, inputs=None):
        x = one_input(self, inputs)
        if len(x.shape) > 2:
            x = keras.layers.Flatten()(x)
        num_layers = tunable(hp, "num_layers", self.num_layers, lambda: hp.Choice("num_layers", [1, 2, 3], default=2))
        use_batchnorm = tunable(hp, "use_batchnorm", self.use_batchnorm, lambda: hp.Boolean("use_batchnorm", default=False))
        dropout = tunable(hp, "dropout", self.dropout, lambda: hp.Choice("dropout", [0.0, 0.25, 0.5], default=0.0))
        for i in range(int(num_layers)):
            units = tunable(
                hp, f"units_{i}", self.num_units,
                lambda i=i: hp.Choice(f"units_{i}", [16, 32, 64, 128, 256, 512, 1024], default=32),
            )
            x = keras.layers.Dense(int(units))(x)
            if use_batchnorm:
                x = keras.layers.BatchNormalization()(x)
            x = keras.layers.ReLU()(x)
            if dropout:
                x = keras.layers.Dropout(float(dropout))(x)
        return x

    def get_config(self):
        return {**super().get_config(), "num_layers": self.num_layers, "num_units": self.num_units,
                "use_batchnorm": self.use_batchnorm, "dropout": self.dropout}
