"""`SpatialReduction`: feature maps -> a vector (flatten, global max or average)."""

import keras

from kerasverse.automl.block import Block
from kerasverse.automl.block import one_input
from kerasverse.automl.block import tunable

_POOL = {3: (keras.layers.GlobalMaxPooling1D, keras.layers.GlobalAveragePooling1D),
         4: (keras.layers.GlobalMaxPooling2D, keras.layers.GlobalAveragePooling2D),
         5: (keras.layers.GlobalMaxPooling3D, keras.layers.GlobalAveragePooling3D)}


class SpatialReduction(Block):
    """Reduces the spatial axes of a 3-D, 4-D or 5-D input.

    Args:
        reduction_type: "flatten", "global_max" or "global_avg" (default searched).
        name: The block's name.

    Example:

    ```python
    output_node = ak.SpatialReduction("global_avg")(ak.ConvBlock()(ak.ImageInput()))
    ```
    """

    def __init__(self, reduction_type=None, **kwargs):
        super().__init__(**kwargs)
        self.reduction_type = reduction_type

    def build(self, hp, inputs=None):
        x = one_input(self, inputs)
        if len(x.shape) <= 2:
            return x
        reduction_type = tunable(
            hp, "reduction_type", self.reduction_type,
            lambda: hp.Choice("reduction_type", ["flatten", "global_max", "global_avg"], default="global_avg"),
        )
        if reduction_type == "flatten":
            return keras.layers.Flatten()(x)
        max_pool, avg_pool = _POOL[len(x.shape)]
        return (max_pool if reduction_type == "global_max" else avg_pool)()(x)

    def get_config(self):
        return {**super().get_config(), "reduction_type": self.reduction_type}
