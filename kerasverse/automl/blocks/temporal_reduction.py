"""`TemporalReduction`: `(batch, steps, features)` -> `(batch, features)`."""

import keras

from kerasverse.automl.block import Block
from kerasverse.automl.block import one_input
from kerasverse.automl.block import tunable


class TemporalReduction(Block):
    """Reduces the time axis of a 3-D input.

    Args:
        reduction_type: "flatten", "global_max", "global_avg" or "global_min"
            (default searched).
        name: The block's name.

    Example:

    ```python
    output_node = ak.TemporalReduction("global_max")(ak.RNNBlock(return_sequences=True)(ak.Input()))
    ```
    """

    def __init__(self, reduction_type=None, **kwargs):
        super().__init__(**kwargs)
        self.reduction_type = reduction_type

    def build(self, hp, inputs=None):
        x = one_input(self, inputs)
        if len(x.shape) <= 2:
            return x
        if len(x.shape) != 3:
            raise ValueError(f"TemporalReduction takes a 3-D input. Received: an input of shape {tuple(x.shape)}.")
        reduction_type = tunable(
            hp, "reduction_type", self.reduction_type,
            lambda: hp.Choice("reduction_type", ["flatten", "global_max", "global_avg", "global_min"], default="global_avg"),
        )
        if reduction_type == "flatten":
            return keras.layers.Flatten()(x)
        if reduction_type == "global_max":
            return keras.layers.GlobalMaxPooling1D()(x)
        if reduction_type == "global_avg":
            return keras.layers.GlobalAveragePooling1D()(x)
        # global_min: min(x) = -max(-x), with serializable core layers only.
        return keras.layers.Rescaling(-1.0)(keras.layers.GlobalMaxPooling1D()(keras.layers.Rescaling(-1.0)(x)))

    def get_config(self):
        return {**super().get_config(), "reduction_type": self.reduction_type}
