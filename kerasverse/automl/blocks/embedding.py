"""`Embedding`: token ids -> vectors (for text)."""

import keras

from kerasverse.automl.block import Block
from kerasverse.automl.block import one_input
from kerasverse.automl.block import tunable
from kerasverse.automl.context import graph_context


class Embedding(Block):
    """Word embedding of token ids, with dropout.

    Args:
        max_features: The vocabulary size (default 20001, capped to the
            fitted vocabulary of the graph's `TextInput`).
        pretraining: Only "none" (GloVe, fastText and word2vec vectors are
            downloads; kerasverse.automl runs offline).
        embedding_dim: Output dimension (default: searched in 32 ... 512).
        dropout: Dropout rate (default: searched in 0, 0.25, 0.5).
        name: The block's name.

    Example:

    ```python
    output_node = ak.Embedding(embedding_dim=64)(ak.TextInput())
    ```
    """

    def __init__(self, max_features=20001, pretraining=None, embedding_dim=None, dropout=None, **kwargs):
        super().__init__(**kwargs)
        if pretraining not in (None, "none", "random"):
            raise ValueError(
                "Pretrained word vectors are downloads, which kerasverse.automl does not do. "
                f"Received: pretraining={pretraining!r}. Use pretraining=None."
            )
        self.max_features = max_features
        self.pretraining = pretraining
        self.embedding_dim = embedding_dim
        self.dropout = dropout

    def build(self, hp, inputs=None):
        x = one_input(self, inputs)
        vocabulary_size = graph_context().get("vocabulary_size")
        input_dim = min(self.max_features, vocabulary_size) if vocabulary_size else self.max_features
        embedding_dim = tunable(
            hp, "embedding_dim", self.embedding_dim,
            lambda: hp.Choice("embedding_dim", [32, 64, 128, 256, 512], default=128),
        )
        dropout = tunable(hp, "dropout", self.dropout, lambda: hp.Choice("dropout", [0.0, 0.25, 0.5], default=0.25))
        x = keras.layers.Embedding(int(input_dim), int(embedding_dim))(x)
        if dropout:
            x = keras.layers.Dropout(float(dropout))(x)
        return x

    def get_config(self):
        return {**super().get_config(), "max_features": self.max_features, "pretraining": self.pretraining,
                "embedding_dim": self.embedding_dim, "dropout": self.dropout}
