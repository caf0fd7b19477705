"""`TextBlock`: the text search space on token ids (vanilla CNN, transformer, n-gram, BERT)."""

import keras

from kerasverse.automl.block import Block
from kerasverse.automl.block import one_input
from kerasverse.automl.block import tunable
from kerasverse.automl.blocks.conv_block import ConvBlock
from kerasverse.automl.blocks.dense_block import DenseBlock
from kerasverse.automl.blocks.embedding import Embedding
from kerasverse.automl.blocks.spatial_reduction import SpatialReduction
from kerasverse.automl.context import graph_context

BLOCK_TYPES = ("vanilla", "transformer", "ngram", "bert")


class TextBlock(Block):
    """A text model on the WordPiece ids of a `TextInput`, built from
    `kerasverse.nlp` (no TensorFlow, no downloads).

    - "vanilla": Embedding -> ConvBlock -> SpatialReduction -> DenseBlock.
    - "transformer": `TokenAndPositionEmbedding` + `TransformerEncoder`, mean-pooled.
    - "ngram": the mean embedding of tokens and hashed bigrams (fastText-style;
      `min(20000, 4 * vocabulary_size)` bigram buckets).
    - "bert": a small `BertBackbone` trained from scratch, its pooled output.

    Args:
        block_type: One of the above (default searched).
        max_tokens: The vocabulary size of the `TextInput` it reads (learned
            on the training split before the search; default 20000).
        pretraining: Only None (pretrained vectors and checkpoints are downloads).
        name: The block's name.

    Example:

    ```python
    output_node = ak.TextBlock(block_type="ngram")(ak.TextInput())
    ```
    """

    def __init__(self, block_type=None, max_tokens=None, pretraining=None, **kwargs):
        super().__init__(**kwargs)
        if block_type is not None and not hasattr(block_type, "get_config") and block_type not in BLOCK_TYPES:
            raise ValueError(f"`block_type` must be one of {list(BLOCK_TYPES)}. Received: block_type={block_type!r}.")
        if pretraining not in (None, "none", "random"):
            raise ValueError(
                f"Pretrained text models are downloads. Received: pretraining={pretraining!r}. Use None."
            )
        self.block_type = block_type
        self.max_tokens = max_tokens
        self.pretraining = pretraining

    def build(self, hp, inputs=None):
        x = one_input(self, inputs)
        if self.block_type is None:
            block_type = hp.Choice("block_type", list(BLOCK_TYPES), default="vanilla")
            with hp.conditional_scope("block_type", [block_type]):
                return self._build_type(hp, block_type, x)
        return self._build_type(hp, tunable(hp, "block_type", self.block_type, lambda: None), x)

    def _build_type(self, hp, block_type, x):
        vocabulary_size = graph_context().get("vocabulary_size") or 20001
        sequence_length = int(x.shape[1])
        if block_type == "vanilla":
            x = self.build_child(hp, Embedding(), [x])
            x = self.build_child(hp, ConvBlock(separable=False), [x])
            x = self.build_child(hp, SpatialReduction(), [x])
            return self.build_child(hp, DenseBlock(), [x])
        if block_type == "ngram":
            from kerasverse.automl.keras_layers import NgramEmbedding

            dim = hp.Choice("embedding_dim", [32, 64, 128], default=64)
            # The bigram table scales with the learned vocabulary (at most 20000
            # rows): a small corpus leaves most of a 20000-row table untrained,
            # and its dense Adam update was 80% of the step (20000 x 64 floats).
            num_buckets = min(20000, 4 * vocabulary_size)
            x = NgramEmbedding(vocabulary_size, num_buckets=num_buckets, embedding_dim=int(dim))(x)
            dropout = hp.Choice("dropout", [0.0, 0.25, 0.5], default=0.0)
            return keras.layers.Dropout(float(dropout))(x) if dropout else x
        if block_type == "transformer":
            from kerasverse.nlp.layers import TokenAndPositionEmbedding
            from kerasverse.nlp.layers import TransformerEncoder

            dim = int(hp.Choice("embedding_dim", [32, 64, 128], default=64))
            num_heads = int(hp.Choice("num_heads", [2, 4], default=2))
            embedded = TokenAndPositionEmbedding(vocabulary_size, sequence_length, dim, mask_zero=True)(x)
            encoded = TransformerEncoder(intermediate_dim=2 * dim, num_heads=num_heads, dropout=0.1)(embedded)
            return keras.layers.GlobalAveragePooling1D()(encoded)
        from kerasverse.automl.keras_layers import BertInputs
        from kerasverse.nlp.models.bert.bert_backbone import BertBackbone

        hidden_dim = int(hp.Choice("hidden_dim", [64, 128], default=64))
        num_layers = int(hp.Choice("num_layers", [1, 2], default=2))
        backbone = BertBackbone(
            vocabulary_size=vocabulary_size, num_layers=num_layers, num_heads=2, hidden_dim=hidden_dim,
            intermediate_dim=2 * hidden_dim, max_sequence_length=max(sequence_length, 8),
        )
        return backbone(BertInputs()(x))["pooled_output"]

    def get_config(self):
        return {**super().get_config(), "block_type": self.block_type, "max_tokens": self.max_tokens,
                "pretraining": self.pretraining}
