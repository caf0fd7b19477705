"""`RNNBlock`: stacked (bidirectional) LSTM or GRU layers."""

import keras

from kerasverse.automl.block import Block
from kerasverse.automl.block import one_input
from kerasverse.automl.block import tunable


class RNNBlock(Block):
    """Recurrent layers over a `(batch, steps, features)` input.

    Args:
        return_sequences: Return the whole sequence (3-D) instead of the last
            state (2-D). Default False.
        bidirectional: Bidirectional layers (default searched).
        num_layers: Number of layers (default: searched in 1, 2, 3).
        layer_type: "lstm" or "gru" (default searched).
        name: The block's name.

    The units of each layer are searched in 16, 32, 64 (AutoKeras uses the
    input's feature count, which is 1 for a univariate series).

    Example:

    ```python
    output_node = ak.RNNBlock(layer_type="gru")(ak.Input())
    ```
    """

    def __init__(self, return_sequences=False, bidirectional=None, num_layers=None, layer_type=None, **kwargs):
        super().__init__(**kwargs)
        self.return_sequences = return_sequences
        self.bidirectional = bidirectional
        self.num_layers = num_layers
        self.layer_type = layer_type

    def build(self, hp, inputs=None):
        x = one_input(self, inputs)
        if len(x.shape) != 3:
            raise ValueError(
                "RNNBlock takes a 3-D input (batch, steps, features). "
                f"Received: an input of shape {tuple(x.shape)}."
            )
        bidirectional = tunable(hp, "bidirectional", self.bidirectional, lambda: hp.Boolean("bidirectional", default=True))
        layer_type = tunable(hp, "layer_type", self.layer_type, lambda: hp.Choice("layer_type", ["gru", "lstm"], default="lstm"))
        num_layers = tunable(hp, "num_layers", self.num_layers, lambda: hp.Choice("num_layers", [1, 2, 3], default=2))
        units = hp.Choice("units", [16, 32, 64], default=32)
        layer_class = {"gru": keras.layers.GRU, "lstm": keras.layers.LSTM}[layer_type]
        for i in range(int(num_layers)):
            sequences = self.return_sequences or i < int(num_layers) - 1
            layer = layer_class(int(units), return_sequences=sequences)
            x = keras.layers.Bidirectional(layer)(x) if bidirectional else layer(x)
        return x

    def get_config(self):
        return {**super().get_config(), "return_sequences": self.return_sequences,
                "bidirectional": self.bidirectional, "num_layers": self.num_layers, "layer_type": self.layer_type}
