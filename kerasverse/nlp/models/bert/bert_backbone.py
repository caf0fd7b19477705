"""`BertBackbone`: the BERT encoder (Devlin et al., 2019)."""

import keras

from kerasverse.models import Backbone
from kerasverse.nlp.layers.modeling.position_embedding import PositionEmbedding
from kerasverse.nlp.layers.modeling.reversible_embedding import ReversibleEmbedding
from kerasverse.nlp.layers.modeling.transformer_encoder import TransformerEncoder


def bert_kernel_initializer(stddev=0.02):
    return keras.initializers.TruncatedNormal(stddev=stddev)


@keras.saving.register_keras_serializable(package="kerasverse")
class BertBackbone(Backbone):
    """The BERT encoder: token, position and segment embeddings, then transformer encoders.

    Inputs are a dict of `token_ids`, `segment_ids` and `padding_mask`
    (`(batch_size, sequence_length)` each, as `BertTextClassifierPreprocessor`
    makes them). Outputs are a dict: `sequence_output`
    `(batch_size, sequence_length, hidden_dim)` and `pooled_output`
    `(batch_size, hidden_dim)` (the `[CLS]` state through a tanh dense
    layer). Sequences longer than `max_sequence_length` raise an error:
    truncate them in the preprocessor.

    Args:
        vocabulary_size: number of token ids.
        num_layers: number of transformer layers.
        num_heads: attention heads per layer.
        hidden_dim: width of the hidden states.
        intermediate_dim: width of the feedforward layers.
        dropout: dropout rate.
        max_sequence_length: number of position embeddings.
        num_segments: number of segment (token type) ids.
        dtype: the dtype policy of the model.
        **kwargs: `keras.Model` arguments (`name`, ...).

    Example:

    ```python
    import numpy as np
    backbone = BertBackbone(vocabulary_size=100, num_layers=2, num_heads=2, hidden_dim=16, intermediate_dim=32)
    outputs = backbone({
        "token_ids": np.array([[2, 5, 7, 3, 0]]),
        "segment_ids": np.zeros((1, 5), "int32"),
        "padding_mask": np.array([[1, 1, 1, 1, 0]]),
    })
    outputs["pooled_output"].shape  # (1, 16)
    ```
    """

    config_arguments = (
        "vocabulary_size",
        "num_layers",
        "num_heads",
        "hidden_dim",
        "intermediate_dim",
        "dropout",
        "max_sequence_length",
        "num_segments",
    )

    def __init__(
        self,
        vocabulary_size,
        num_layers,
        num_heads,
        hidden_dim,
        intermediate_dim,
        dropout=0.1,
        max_sequence_length=512,
        num_segments=2,
        dtype=None,
        **kwargs,
    ):
        for name, value in (("vocabulary_size", vocabulary_size), ("num_layers", num_layers), ("num_heads", num_heads), ("hidden_dim", hidden_dim), ("intermediate_dim", intermediate_dim), ("max_sequence_length", max_sequence_length), ("num_segments", num_segments)):
            if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                raise ValueError(f"`{name}` must be a positive integer. Received: {name}={value!r}")
        if hidden_dim % num_heads:
            raise ValueError(f"`hidden_dim` must be divisible by `num_heads`. Received: hidden_dim={hidden_dim}, num_heads={num_heads}")
        # Layers.
        self.token_embedding = ReversibleEmbedding(
            vocabulary_size, hidden_dim, embeddings_initializer=bert_kernel_initializer(), dtype=dtype, name="token_embedding"
        )
        self.position_embedding = PositionEmbedding(
            max_sequence_length, initializer=bert_kernel_initializer(), dtype=dtype, name="position_embedding"
        )
        self.segment_embedding = keras.layers.Embedding(
            num_segments, hidden_dim, embeddings_initializer=bert_kernel_initializer(), dtype=dtype, name="segment_embedding"
        )
        self.embeddings_add = keras.layers.Add(dtype=dtype, name="embeddings_add")
        self.embeddings_layer_norm = keras.layers.LayerNormalization(epsilon=1e-12, dtype=dtype, name="embeddings_layer_norm")
        self.embeddings_dropout = keras.layers.Dropout(dropout, dtype=dtype, name="embeddings_dropout")
        self.transformer_layers = [
            TransformerEncoder(
                intermediate_dim=intermediate_dim,
                num_heads=num_heads,
                dropout=dropout,
                activation="gelu",
                layer_norm_epsilon=1e-12,
                kernel_initializer=bert_kernel_initializer(),
                dtype=dtype,
                name=f"transformer_layer_{i}",
            )
            for i in range(num_layers)
        ]
        self.pooled_dense = keras.layers.Dense(
            hidden_dim, kernel_initializer=bert_kernel_initializer(), activation="tanh", dtype=dtype, name="pooled_dense"
        )

        # Functional graph.
        token_id_input = keras.Input(shape=(None,), dtype="int32", name="token_ids")
        segment_id_input = keras.Input(shape=(None,), dtype="int32", name="segment_ids")
        padding_mask_input = keras.Input(shape=(None,), dtype="int32", name="padding_mask")
        tokens = self.token_embedding(token_id_input)
        positions = self.position_embedding(tokens)
        segments = self.segment_embedding(segment_id_input)
        x = self.embeddings_add((tokens, positions, segments))
        x = self.embeddings_dropout(self.embeddings_layer_norm(x))
        for layer in self.transformer_layers:
            x = layer(x, padding_mask=padding_mask_input)
        sequence_output = x
        cls_state = x[:, 0, :]
        pooled_output = self.pooled_dense(cls_state)
        super().__init__(
            inputs={"token_ids": token_id_input, "segment_ids": segment_id_input, "padding_mask": padding_mask_input},
            outputs={"sequence_output": sequence_output, "pooled_output": pooled_output},
            **kwargs,
        )
        self.vocabulary_size = vocabulary_size
        self.num_layers = num_layers
        self.num_heads = num_heads
        self.hidden_dim = hidden_dim
        self.intermediate_dim = intermediate_dim
        self.dropout = dropout
        self.max_sequence_length = max_sequence_length
        self.num_segments = num_segments
