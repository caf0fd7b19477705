"""`ReversibleEmbedding`: an embedding that also projects back to the vocabulary."""

import keras
from keras import ops

from kerasverse.nlp.layers.modeling import int8_kernels
from kerasverse.nlp.layers.modeling import weight_only

# The weight quantization modes core Keras' ReversibleEmbedding implements.
SUPPORTED_QUANTIZATION_MODES = ("int8", "int4")


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

    def quantize(self, mode=None, type_check=True, config=None):
        """Quantizes the embedding (and the reverse projection) to int8 or int4 weights.

        Core Keras refuses subclasses (`type_check`) and `Model.quantize`
        turns that refusal into a warning, which would leave the largest
        matrix of a language model in float32: this layer is the core layer
        plus a faster float path, so it takes core's quantization as is.
        `config` is a `keras.quantizers.Int8QuantizationConfig` /
        `Int4QuantizationConfig`; `activation_quantizer=None` quantizes the
        weights only (the fast path for decoding on CPU).
        """
        resolved = check_quantization_mode(self, mode, config)
        super().quantize(resolved, type_check=False, config=config)

    def _int8_call(self, inputs, reverse=False):
        if not (reverse and self.tie_weights and self.logit_soft_cap is None and self.reverse_dtype is None):
            return super()._int8_call(inputs, reverse=reverse)
        if keras.config.backend() != "jax":
            return super()._int8_call(inputs, reverse=reverse)
        # Read the int8 (vocabulary, width) matrix as int8 (see `weight_only`),
        # then de-scale each logit.
        leading = ops.shape(inputs)[:-1]
        x = ops.reshape(ops.cast(inputs, self.compute_dtype), (-1, self.output_dim))
        embeddings = ops.convert_to_tensor(self._embeddings)
        quantizer = getattr(self, "inputs_quantizer", None)
        if quantizer is not None:  # Keras' default int8: int8 inputs as well.
            if not int8_kernels.usable(x, embeddings):
                return super()._int8_call(inputs, reverse=reverse)
            q, scale = weight_only.quantized_rows(quantizer, x)
            logits = ops.divide(int8_kernels.matmul_transposed(q, embeddings), scale)
        else:
            logits = weight_only.blocked_matmul_transposed(x, embeddings, self.compute_dtype)
        logits = ops.divide(logits, ops.cast(self.embeddings_scale, self.compute_dtype))
        return ops.reshape(logits, tuple(leading) + (self.input_dim,))

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


def check_quantization_mode(layer, mode, config=None):
    """The mode `layer` (a `ReversibleEmbedding`) will be quantized in; a ValueError naming it if unsupported."""
    resolved = mode if mode is not None else getattr(config, "mode", None)
    if resolved not in SUPPORTED_QUANTIZATION_MODES:
        raise ValueError(
            f"{type(layer).__name__} '{layer.name}' supports the weight quantization modes "
            f"{SUPPORTED_QUANTIZATION_MODES}, not {resolved!r}. Quantize the model with 'int8' or 'int4' "
            "(for weight-only int8: `config=keras.quantizers.Int8QuantizationConfig(activation_quantizer=None)`), "
            f"or leave this layer out: `model.quantize({resolved!r}, filters=lambda layer: layer.name != '{layer.name}')`."
        )
    return resolved
