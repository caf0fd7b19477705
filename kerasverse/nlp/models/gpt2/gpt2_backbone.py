"""`GPT2Backbone`: the GPT-2 decoder (Radford et al., 2019)."""

import keras

from kerasverse.models import Backbone
from kerasverse.nlp.layers.modeling.position_embedding import PositionEmbedding
from kerasverse.nlp.layers.modeling.reversible_embedding import ReversibleEmbedding
from kerasverse.nlp.layers.modeling.transformer_decoder import TransformerDecoder


def gpt2_kernel_initializer(stddev=0.02):
    return keras.initializers.RandomNormal(stddev=stddev)


@keras.saving.register_keras_serializable(package="kerasverse")
class GPT2Backbone(Backbone):
    """The GPT-2 decoder: token and position embeddings, pre-LN causal transformer blocks.

    Inputs are a dict of `token_ids` and `padding_mask`, each
    `(batch_size, sequence_length)`; the output is the final hidden states
    `(batch_size, sequence_length, hidden_dim)`. Sequences longer than
    `max_sequence_length` raise an error: truncate them in the preprocessor.
    `GPT2CausalLM` adds the language-model head (the transposed token
    embedding) and cached generation.

    Args:
        vocabulary_size: number of token ids.
        num_layers: number of transformer layers.
        num_heads: attention heads per layer.
        hidden_dim: width of the hidden states.
        intermediate_dim: width of the feedforward layers.
        dropout: dropout rate.
        max_sequence_length: number of position embeddings.
        dtype: the dtype policy of the layers.
        **kwargs: `keras.Model` arguments.

    Example:

    ```python
    import numpy as np
    backbone = GPT2Backbone(vocabulary_size=100, num_layers=2, num_heads=2, hidden_dim=16, intermediate_dim=32)
    hidden = backbone({"token_ids": np.array([[5, 6, 7]]), "padding_mask": np.ones((1, 3), "int32")})
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
        "layer_norm_epsilon",
    )

    def __init__(
        self,
        vocabulary_size,
        num_layers,
        num_heads,
        hidden_dim,
        intermediate_dim,
        dropout=0.1,
        max_sequence_length=1024,
        layer_norm_epsilon=1e-5,
        dtype=None,
        **kwargs,
    ):
        for name, value in (("vocabulary_size", vocabulary_size), ("num_layers", num_layers), ("num_heads", num_heads), ("hidden_dim", hidden_dim), ("intermediate_dim", intermediate_dim), ("max_sequence_length", max_sequence_length)):
            if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                raise ValueError(f"`{name}` must be a positive integer. Received: {name}={value!r}")
        if hidden_dim % num_heads:
            raise ValueError(f"`hidden_dim` must be divisible by `num_heads`. Received: hidden_dim={hidden_dim}, num_heads={num_heads}")
        self.token_embedding = ReversibleEmbedding(
            vocabulary_size, hidden_dim, embeddings_initializer=gpt2_kernel_initializer(0.01), dtype=dtype, name="token_embedding"
        )
        self.position_embedding = PositionEmbedding(
            max_sequence_length, initializer=gpt2_kernel_initializer(0.02), dtype=dtype, name="position_embedding"
        )
        self.embeddings_add = keras.layers.Add(dtype=dtype, name="embeddings_add")
        self.embeddings_dropout = keras.layers.Dropout(dropout, dtype=dtype, name="embeddings_dropout")
        self.transformer_layers = [
            TransformerDecoder(
                intermediate_dim=intermediate_dim,
                num_heads=num_heads,
                dropout=dropout,
                activation="gelu_approximate",
                layer_norm_epsilon=layer_norm_epsilon,
                kernel_initializer=gpt2_kernel_initializer(0.02),
                normalize_first=True,
                dtype=dtype,
                name=f"transformer_layer_{i}",
            )
            for i in range(num_layers)
        ]
        self.layer_norm = keras.layers.LayerNormalization(epsilon=layer_norm_epsilon, dtype=dtype, name="layer_norm")

        token_id_input = keras.Input(shape=(None,), dtype="int32", name="token_ids")
        padding_mask_input = keras.Input(shape=(None,), dtype="int32", name="padding_mask")
        tokens = self.token_embedding(token_id_input)
        positions = self.position_embedding(tokens)
        x = self.embeddings_dropout(self.embeddings_add((tokens, positions)))
        for layer in self.transformer_layers:
            x = layer(x, decoder_padding_mask=padding_mask_input)
        sequence_output = self.layer_norm(x)
        super().__init__(
            inputs={"token_ids": token_id_input, "padding_mask": padding_mask_input},
            outputs=sequence_output,
            **kwargs,
        )
        self.vocabulary_size = vocabulary_size
        self.num_layers = num_layers
        self.num_heads = num_heads
        self.hidden_dim = hidden_dim
        self.intermediate_dim = intermediate_dim
        self.dropout = dropout
        self.max_sequence_length = max_sequence_length
        self.layer_norm_epsilon = layer_norm_epsilon
