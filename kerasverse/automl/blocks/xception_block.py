"""`XceptionBlock`: a small Xception (separable convolutions with residuals), from scratch."""

import keras

from kerasverse.automl.block import Block
from kerasverse.automl.block import one_input
from kerasverse.automl.block import tunable
from kerasverse.automl.blocks._pretrained import check_not_pretrained


class XceptionBlock(Block):
    """A Xception-style network (Chollet, 2017) sized for small images:
    an entry convolution, then residual blocks of two separable
    convolutions, trained from scratch (no downloaded weights).

    Args:
        pretrained: Must be False/None.
        name: The block's name.

    The number of residual blocks (1-3) and the width (32 or 64 filters)
    are searched.

    Example:

    ```python
    output_node = ak.XceptionBlock()(ak.ImageInput())
    ```
    """

    def __init__(self, pretrained=None, **kwargs):
        super().__init__(**kwargs)
        check_not_pretrained(self, pretrained)
        self.pretrained = pretrained

    def build(self, hp, inputs=None):
        x = one_input(self, inputs)
        if len(x.shape) != 4:
            raise ValueError(f"XceptionBlock takes images (4-D). Received: an input of shape {tuple(x.shape)}.")
        num_blocks = tunable(hp, "num_blocks", None, lambda: hp.Choice("num_blocks", [1, 2, 3], default=2))
        width = tunable(hp, "width", None, lambda: hp.Choice("width", [32, 64], default=32))
        x = keras.layers.Conv2D(int(width), 3, padding="same")(x)
        x = keras.layers.ReLU()(keras.layers.BatchNormalization()(x))
        for i in range(int(num_blocks)):
            filters = int(width) * 2**i
            stride = 2 if min(x.shape[1:3]) >= 2 else 1
            shortcut = keras.layers.Conv2D(filters, 1, strides=stride, padding="same")(x)
            y = keras.layers.SeparableConv2D(filters, 3, padding="same")(keras.layers.ReLU()(x))
            y = keras.layers.BatchNormalization()(y)
            y = keras.layers.SeparableConv2D(filters, 3, padding="same")(keras.layers.ReLU()(y))
            y = keras.layers.BatchNormalization()(y)
            y = keras.layers.MaxPooling2D(3, strides=stride, padding="same")(y)
            x = keras.layers.Add()([shortcut, y])
        return keras.layers.ReLU()(x)

    def get_config(self):
        return {**super().get_config(), "pretrained": self.pretrained}
