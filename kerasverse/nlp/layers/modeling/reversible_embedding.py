"""`ReversibleEmbedding`: an embedding that also projects back to the vocabulary."""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="kerasverse")
class ReversibleEmbedding(keras.layers.ReversibleEmbedding):
    """An embedding layer that can also project hidden states to vocabulary logits.

    This is core Keras' `keras.layers.ReversibleEmbedding` (same arguments,
    same weights), exported here under the `keras_hub` name so code ports by
    changing the import. `layer(ids)` embeds; `layer(hidden, reverse=True)`
    multiplies by the transposed embedding matrix (tied weights) or by a
    separate matrix with `tie_weights=False`.

    Args:
        input_dim: vocabulary size.
        output_dim: embedding width.
        tie_weights: reuse the embedding matrix for the reverse projection.
        embeddings_initializer: initializer of the embedding matrix.
        mask_zero: treat id 0 as padding (sets a Keras mask).
        reverse_dtype: dtype of the reverse projection.
        logit_soft_cap: if set, reverse logits are `tanh(x / cap) * cap`.
        **kwargs: `keras.layers.Embedding` arguments.

    Example:

    ```python
    import numpy as np
    embedding = ReversibleEmbedding(input_dim=100, output_dim=16)
    hidden = embedding(np.array([[1, 2, 3]]))          # (1, 3, 16)
    logits = embedding(hidden, reverse=True)           # (1, 3, 100)
    ```
    """

    def call(self, inputs, reverse=False):
        if not (reverse and self.tie_weights) or keras.config.backend() != "jax":
            return super().call(inputs, reverse=reverse)
        # The tied projection contracts the embedding's own last axis instead
        # of multiplying by an explicit transpose: XLA then streams the
        # (vocabulary, width) matrix row by row (a 154 MB matrix-vector
        # product per decoded GPT-2 token) rather than fusing a transposed copy.
        kernel = self.embeddings
        if self.reverse_dtype is not None:
            inputs = ops.cast(inputs, self.reverse_dtype)
            kernel = ops.cast(kernel, self.reverse_dtype)
        logits = ops.tensordot(inputs, kernel, axes=[[-1], [1]])
        if self.logit_soft_cap is not None:
            logits = ops.multiply(ops.tanh(ops.divide(logits, self.logit_soft_cap)), self.logit_soft_cap)
        return logits
