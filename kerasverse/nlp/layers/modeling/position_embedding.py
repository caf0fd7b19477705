"""`PositionEmbedding`: a learned embedding of token positions."""

import keras
from keras import ops

from kerasverse.nlp.layers.modeling.transformer_layer_utils import check_positive_int


@keras.saving.register_keras_serializable(package="kerasverse")
class PositionEmbedding(keras.layers.Layer):
    """A learned position embedding, one vector per position.

    Given inputs of shape `(batch_size, sequence_length, hidden_dim)`, returns
    the embeddings of positions `start_index ... start_index +
    sequence_length - 1`, broadcast to the input shape (add them to the
    token embeddings). Inputs longer than `sequence_length` positions raise
    an error: truncate or pack them first.

    Args:
        sequence_length: the maximum number of positions.
        initializer: initializer of the position table.
        **kwargs: `keras.layers.Layer` arguments.

    Call arguments:
        inputs: `(batch_size, sequence_length, hidden_dim)` (or without the
            batch dimension).
        start_index: position of the first token (used with a KV cache).

    Example:

    ```python
    import numpy as np
    embedding = PositionEmbedding(sequence_length=10)
    positions = embedding(np.zeros((2, 5, 8), "float32"))  # (2, 5, 8)
    ```
    """

    def __init__(self, sequence_length, initializer="glorot_uniform", **kwargs):
        super().__init__(**kwargs)
        check_positive_int("sequence_length", sequence_length)
        self.sequence_length = sequence_length
        self.initializer = keras.initializers.get(initializer)
        self.supports_masking = True

    def build(self, inputs_shape):
        hidden_dim = inputs_shape[-1]
        self.position_embeddings = self.add_weight(
            name="embeddings", shape=(self.sequence_length, hidden_dim), initializer=self.initializer, trainable=True
        )
        self.built = True

    def call(self, inputs, start_index=0):
        shape = ops.shape(inputs)
        length = shape[-2]
        if isinstance(length, int) and isinstance(start_index, int) and length + start_index > self.sequence_length:
            raise ValueError(
                f"The input has {length} positions (starting at {start_index}) but this "
                f"PositionEmbedding holds only sequence_length={self.sequence_length}. "
                "Truncate the inputs (e.g. the preprocessor's `sequence_length`) to fit."
            )
        embeddings = ops.cast(self.position_embeddings, self.compute_dtype)
        embeddings = ops.slice(embeddings, (start_index, 0), (length, shape[-1]))
        return ops.broadcast_to(embeddings, shape)

    def compute_output_shape(self, inputs_shape):
        return inputs_shape

    def get_config(self):
        config = super().get_config()
        config.update({"sequence_length": self.sequence_length, "initializer": keras.initializers.serialize(self.initializer)})
        return config
