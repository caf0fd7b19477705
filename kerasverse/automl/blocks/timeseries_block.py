"""`TimeseriesBlock`: the forecasting search space on windows (dense or recurrent)."""

from kerasverse.automl.block import Block
from kerasverse.automl.block import one_input
from kerasverse.automl.block import tunable
from kerasverse.automl.blocks.dense_block import DenseBlock
from kerasverse.automl.blocks.normalization import Normalization
from kerasverse.automl.blocks.rnn_block import RNNBlock


class TimeseriesBlock(Block):
    """Standardized windows `(batch, lookback, features)` into a DenseBlock
    on the flattened window ("dense") or an RNNBlock ("rnn"), concatenated
    with the flattened window itself (a linear autoregressive path).

    Args:
        block_type: "dense" or "rnn" (default searched).
        name: The block's name.

    Example:

    ```python
    output_node = ak.TimeseriesBlock(block_type="rnn")(ak.TimeseriesInput(lookback=24))
    ```
    """

    def __init__(self, block_type=None, **kwargs):
        super().__init__(**kwargs)
        self.block_type = block_type

    def build(self, hp, inputs=None):
        x = one_input(self, inputs)
        x = self.build_child(hp, Normalization(), [x])
        block_type = tunable(hp, "block_type", self.block_type, lambda: hp.Choice("block_type", ["dense", "rnn"], default="dense"))
        if self.block_type is None:
            with hp.conditional_scope("block_type", [block_type]):
                return self._build_type(hp, block_type, x)
        return self._build_type(hp, block_type, x)

    def _build_type(self, hp, block_type, x):
        import keras

        features = self.build_child(hp, RNNBlock(), [x]) if block_type == "rnn" else self.build_child(hp, DenseBlock(), [x])
        # A linear path from the (standardized) window to the head: the model is
        # an autoregression plus a learned nonlinear part, so it extrapolates a trend.
        return keras.layers.Concatenate()([features, keras.layers.Flatten()(x)])

    def get_config(self):
        return {**super().get_config(), "block_type": self.block_type}
