"""`Normalization`: feature-wise standardization with statistics of the training split."""

import keras
import numpy as np

from kerasverse.automl.block import Block
from kerasverse.automl.block import one_input
from kerasverse.automl.context import graph_context


class Normalization(Block):
    """Standardizes its input along `axis` with the mean and variance of the
    training split (computed once on the host when the block's input is a
    graph input; otherwise a non-learned batch normalization).

    Args:
        axis: The feature axis (default -1).
        name: The block's name.

    Example:

    ```python
    output_node = ak.Normalization()(ak.Input())
    ```
    """

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis

    def build(self, hp, inputs=None):
        x = one_input(self, inputs)
        statistics = graph_context().get("statistics", {}).get(id(x))
        if statistics is None:
            return keras.layers.BatchNormalization(axis=self.axis, center=False, scale=False)(x)
        data = statistics
        axis = self.axis % data.ndim
        reduce = tuple(i for i in range(data.ndim) if i != axis)
        mean = data.mean(axis=reduce)
        variance = data.var(axis=reduce)
        variance = np.where(variance > 0, variance, 1.0)
        return keras.layers.Normalization(axis=self.axis, mean=mean, variance=variance)(x)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}
