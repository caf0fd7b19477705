"""`Merge`: combines several nodes by addition or concatenation."""

import keras

from kerasverse.automl.block import Block
from kerasverse.automl.block import tunable


class Merge(Block):
    """Merges its inputs (flattened to 2-D unless all have one shape).

    Args:
        merge_type: "add" or "concatenate" (default searched). Inputs of
            different shapes are always concatenated.
        name: The block's name.

    Example:

    ```python
    merged = ak.Merge()([ak.DenseBlock()(a), ak.DenseBlock()(b)])
    ```
    """

    def __init__(self, merge_type=None, **kwargs):
        super().__init__(**kwargs)
        self.merge_type = merge_type

    def build(self, hp, inputs=None):
        inputs = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
        if len(inputs) == 1:
            return inputs[0]
        same = all(tuple(x.shape) == tuple(inputs[0].shape) for x in inputs)
        if not same:
            inputs = [keras.layers.Flatten()(x) if len(x.shape) > 2 else x for x in inputs]
            same = all(tuple(x.shape) == tuple(inputs[0].shape) for x in inputs)
        merge_type = tunable(hp, "merge_type", self.merge_type, lambda: hp.Choice("merge_type", ["add", "concatenate"], default="add"))
        if merge_type == "add" and same:
            return keras.layers.Add()(inputs)
        return keras.layers.Concatenate()(inputs)

    def get_config(self):
        return {**super().get_config(), "merge_type": self.merge_type}
