"""`TokenAndPositionEmbedding`: token embedding plus learned position embedding."""

import keras

from kerasverse.nlp.layers.modeling.position_embedding import PositionEmbedding
from kerasverse.nlp.layers.modeling.reversible_embedding import ReversibleEmbedding
from kerasverse.nlp.layers.modeling.transformer_layer_utils import check_positive_int
from kerasverse.nlp.layers.modeling.transformer_layer_utils import clone_initializer


@keras.saving.register_keras_serializable(package="kerasverse")
class TokenAndPositionEmbedding(keras.layers.Layer):
    """Sums a token embedding and a learned position embedding.

    Args:
        vocabulary_size: number of token ids.
        sequence_length: maximum number of positions.
        embedding_dim: output width.
        tie_weights: the token embedding can project back to logits with
            `token_embedding(x, reverse=True)` using its transpose.
        embeddings_initializer: initializer of both tables.
        mask_zero: id 0 is padding (sets a Keras mask on the output).
        **kwargs: `keras.layers.Layer` arguments.

    Call arguments:
        inputs: `(batch_size, sequence_length)` int token ids.
        start_index: position of the first token.

    Example:

    ```python
    import numpy as np
    layer = TokenAndPositionEmbedding(vocabulary_size=100, sequence_length=8, embedding_dim=16)
    outputs = layer(np.array([[5, 6, 7]]))  # (1, 3, 16)
    ```
    """

    def __init__(
        self,
        vocabulary_size,
        sequence_length,
        embedding_dim,
        tie_weights=True,
        embeddings_initializer="uniform",
        mask_zero=False,
        **kwargs,
    ):
        super().__init__(**kwargs)
        check_positive_int("vocabulary_size", vocabulary_size)
        check_positive_int("sequence_length", sequence_length)
        check_positive_int("embedding_dim", embedding_dim)
        self.vocabulary_size = vocabulary_size
        self.sequence_length = sequence_length
        self.embedding_dim = embedding_dim
        self.tie_weights = tie_weights
        self.embeddings_initializer = keras.initializers.get(embeddings_initializer)
        self.mask_zero = mask_zero
        self.token_embedding = ReversibleEmbedding(
            vocabulary_size,
            embedding_dim,
            tie_weights=tie_weights,
            embeddings_initializer=clone_initializer(self.embeddings_initializer),
            mask_zero=mask_zero,
            dtype=self.dtype_policy,
            name="token_embedding",
        )
        self.position_embedding = PositionEmbedding(
            sequence_length,
            initializer=clone_initializer(self.embeddings_initializer),
            dtype=self.dtype_policy,
            name="position_embedding",
        )
        self.supports_masking = mask_zero

    def build(self, inputs_shape):
        self.token_embedding.build(inputs_shape)
        self.position_embedding.build(tuple(inputs_shape) + (self.embedding_dim,))
        self.built = True

    def call(self, inputs, start_index=0):
        tokens = self.token_embedding(inputs)
        return tokens + self.position_embedding(tokens, start_index=start_index)

    def compute_mask(self, inputs, mask=None):
        if not self.mask_zero:
            return None
        return keras.ops.not_equal(inputs, 0)

    def compute_output_shape(self, inputs_shape):
        return tuple(inputs_shape) + (self.embedding_dim,)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "vocabulary_size": self.vocabulary_size,
                "sequence_length": self.sequence_length,
                "embedding_dim": self.embedding_dim,
                "tie_weights": self.tie_weights,
                "embeddings_initializer": keras.initializers.serialize(self.embeddings_initializer),
                "mask_zero": self.mask_zero,
            }
        )
        return config
