"""The few Keras layers automl adds to core Keras (all in `ak.CUSTOM_OBJECTS`)."""

import keras


@keras.saving.register_keras_serializable(package="kerasverse.automl")
class CastToFloat32(keras.layers.Layer):
    """Casts its input to float32 (AutoKeras' layer of the same name)."""

    def call(self, inputs):
        return keras.ops.cast(inputs, "float32")

    def compute_output_shape(self, input_shape):
        return input_shape


@keras.saving.register_keras_serializable(package="kerasverse.automl")
class ExpandLastDim(keras.layers.Layer):
    """Adds a trailing axis of size 1 (AutoKeras' layer of the same name)."""

    def call(self, inputs):
        return keras.ops.expand_dims(inputs, -1)

    def compute_output_shape(self, input_shape):
        return (*input_shape, 1)


@keras.saving.register_keras_serializable(package="kerasverse.automl")
class NgramEmbedding(keras.layers.Layer):
    """The mean embedding of a text's tokens and hashed token bigrams (a
    fastText-style n-gram model on WordPiece ids; id 0 is padding).

    The bigram bucket is `(first * 7919 + second * 104729) % num_buckets` in
    int32 arithmetic (products wrap around, the modulo is a floor modulo), as
    every Keras backend, ONNX and LiteRT compute it; `kerasverse.export.tfjs`
    ships a TF.js twin of the layer that computes the same buckets, and
    `kerasverse.optimize.sparsity` prunes its embedding table.

    Args:
        vocabulary_size: The number of token ids.
        num_buckets: Hash buckets for the bigrams.
        embedding_dim: The embedding width.

    Example:

    ```python
    layer = NgramEmbedding(vocabulary_size=100, num_buckets=1000, embedding_dim=8)
    layer(np.array([[5, 6, 0]]))  # shape (1, 8)
    ```
    """

    def __init__(self, vocabulary_size, num_buckets=20000, embedding_dim=64, **kwargs):
        super().__init__(**kwargs)
        self.vocabulary_size = int(vocabulary_size)
        self.num_buckets = int(num_buckets)
        self.embedding_dim = int(embedding_dim)
        # A fixed name: the weight's path is `<layer>/embedding/embeddings` in every model (TF.js names it so).
        self.embedding = keras.layers.Embedding(
            self.vocabulary_size + self.num_buckets, self.embedding_dim, name="embedding"
        )

    def build(self, input_shape):
        self.embedding.build(input_shape)

    def call(self, inputs):
        ops = keras.ops
        ids = ops.cast(inputs, "int32")
        first, second = ids[:, :-1], ids[:, 1:]
        bigrams = (first * 7919 + second * 104729) % self.num_buckets + self.vocabulary_size
        bigram_mask = ops.logical_and(first > 0, second > 0)
        tokens = ops.concatenate([ids, bigrams], axis=1)
        mask = ops.cast(ops.concatenate([ids > 0, bigram_mask], axis=1), self.compute_dtype)
        vectors = self.embedding(tokens) * mask[..., None]
        count = ops.maximum(ops.sum(mask, axis=1, keepdims=True), 1.0)
        return ops.sum(vectors, axis=1) / count

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.embedding_dim)

    def get_prunable_weights(self):
        """The embedding table, for `kerasverse.optimize.sparsity` (token and bigram rows alike)."""
        return [self.embedding.embeddings]

    def get_config(self):
        return {**super().get_config(), "vocabulary_size": self.vocabulary_size,
                "num_buckets": self.num_buckets, "embedding_dim": self.embedding_dim}


@keras.saving.register_keras_serializable(package="kerasverse.automl")
class BertInputs(keras.layers.Layer):
    """Token ids (0 = padding) -> the input dict of `BertBackbone`."""

    def call(self, token_ids):
        token_ids = keras.ops.cast(token_ids, "int32")
        return {
            "token_ids": token_ids,
            "segment_ids": keras.ops.zeros_like(token_ids),
            "padding_mask": keras.ops.cast(token_ids > 0, "int32"),
        }

    def compute_output_spec(self, token_ids):
        # Three distinct tensors: a functional graph maps outputs by tensor, so one spec shared by
        # the three keys would feed the token ids to the segment and mask inputs too.
        return {name: keras.KerasTensor(token_ids.shape, dtype="int32")
                for name in ("token_ids", "segment_ids", "padding_mask")}
