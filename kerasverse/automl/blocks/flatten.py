"""`Flatten`: any input to `(batch, features)`."""

import keras

from kerasverse.automl.block import Block
from kerasverse.automl.block import one_input


class Flatten(Block):
    """Flattens inputs of rank > 2 (leaves 2-D inputs unchanged).

    Example:

    ```python
    output_node = ak.Flatten()(ak.ConvBlock()(ak.ImageInput()))
    ```
    """

    def build(self, hp, inputs=None):
        x = one_input(self, inputs)
        return keras.layers.Flatten()(x) if len(x.shape) > 2 else x
