"""`StructuredDataBlock`: the tabular search space (normalization + DenseBlock)."""

from kerasverse.automl.block import Block
from kerasverse.automl.block import one_input
from kerasverse.automl.block import tunable
from kerasverse.automl.blocks.dense_block import DenseBlock
from kerasverse.automl.blocks.normalization import Normalization


class StructuredDataBlock(Block):
    """Standardized features (categorical columns arrive as vocabulary
    indices from the host-side encoder) into a `DenseBlock`.

    Args:
        categorical_encoding: Encode categorical columns (always done on the
            host; kept for AutoKeras scripts).
        normalize: Standardize the features (default searched).
        seed: Unused; kept for AutoKeras scripts.
        name: The block's name.

    Example:

    ```python
    output_node = ak.StructuredDataBlock()(ak.StructuredDataInput())
    ```
    """

    def __init__(self, categorical_encoding=True, normalize=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.categorical_encoding = categorical_encoding
        self.normalize = normalize
        self.seed = seed

    def build(self, hp, inputs=None):
        x = one_input(self, inputs)
        normalize = tunable(hp, "normalize", self.normalize, lambda: hp.Boolean("normalize", default=True))
        if normalize:
            x = self.build_child(hp, Normalization(), [x])
        return self.build_child(hp, DenseBlock(), [x])

    def get_config(self):
        return {**super().get_config(), "categorical_encoding": self.categorical_encoding,
                "normalize": self.normalize, "seed": self.seed}
