"""`TransformerEncoder`: one encoder block of "Attention Is All You Need"."""

import keras

from kerasverse.nlp.layers.modeling.cached_multi_head_attention import (
    CachedMultiHeadAttention,
)
from kerasverse.nlp.layers.modeling.transformer_layer_utils import check_positive_int
from kerasverse.nlp.layers.modeling.transformer_layer_utils import clone_initializer
from kerasverse.nlp.layers.modeling.transformer_layer_utils import get_activation
from kerasverse.nlp.layers.modeling.transformer_layer_utils import (
    merge_padding_and_attention_mask,
)


@keras.saving.register_keras_serializable(package="kerasverse")
class TransformerEncoder(keras.layers.Layer):
    """A transformer encoder block: self-attention then a feedforward network.

    Each sub-block has a residual connection, dropout and layer
    normalization (after the residual by default, as in BERT; before the
    sub-block with `normalize_first=True`, as in GPT-2). Padding is taken
    from `padding_mask` or from the Keras mask of `inputs` (an embedding
    with `mask_zero=True`).

    Args:
        intermediate_dim: width of the feedforward hidden layer.
        num_heads: number of attention heads; must divide the input width.
        dropout: dropout rate of the attention and feedforward outputs.
        activation: feedforward activation (a Keras activation name, a
            callable, or `"gelu_approximate"`).
        layer_norm_epsilon: epsilon of the layer normalizations.
        kernel_initializer: initializer of the dense kernels.
        bias_initializer: initializer of the dense biases.
        normalize_first: normalize before each sub-block (pre-LN).
        **kwargs: `keras.layers.Layer` arguments (`name`, `dtype`, ...).

    Call arguments:
        inputs: `(batch_size, sequence_length, hidden_dim)` floats.
        padding_mask: optional `(batch_size, sequence_length)` booleans,
            True for real tokens.
        attention_mask: optional `(batch_size, sequence_length,
            sequence_length)` booleans.

    Example:

    ```python
    import numpy as np
    encoder = TransformerEncoder(intermediate_dim=64, num_heads=4)
    outputs = encoder(np.random.rand(2, 10, 32).astype("float32"))  # (2, 10, 32)
    ```
    """

    def __init__(
        self,
        intermediate_dim,
        num_heads,
        dropout=0.0,
        activation="relu",
        layer_norm_epsilon=1e-5,
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        normalize_first=False,
        **kwargs,
    ):
        super().__init__(**kwargs)
        check_positive_int("intermediate_dim", intermediate_dim)
        check_positive_int("num_heads", num_heads)
        self.intermediate_dim = intermediate_dim
        self.num_heads = num_heads
        self.dropout = dropout
        self.activation = activation
        self.layer_norm_epsilon = layer_norm_epsilon
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.bias_initializer = keras.initializers.get(bias_initializer)
        self.normalize_first = normalize_first
        self.supports_masking = True

    def _dense_kwargs(self):
        return {
            "kernel_initializer": clone_initializer(self.kernel_initializer),
            "bias_initializer": clone_initializer(self.bias_initializer),
            "dtype": self.dtype_policy,
        }

    def build(self, inputs_shape):
        hidden_dim = inputs_shape[-1]
        if hidden_dim % self.num_heads:
            raise ValueError(
                f"The input width must be divisible by `num_heads`. Received: input width "
                f"{hidden_dim}, num_heads={self.num_heads}"
            )
        head_dim = hidden_dim // self.num_heads
        self._self_attention_layer = CachedMultiHeadAttention(
            num_heads=self.num_heads, key_dim=head_dim, dropout=self.dropout, name="self_attention", **self._dense_kwargs()
        )
        self._self_attention_layer.build(inputs_shape, inputs_shape)
        self._self_attention_layer_norm = keras.layers.LayerNormalization(
            epsilon=self.layer_norm_epsilon, name="self_attention_layer_norm", dtype=self.dtype_policy
        )
        self._self_attention_layer_norm.build(inputs_shape)
        self._self_attention_dropout = keras.layers.Dropout(self.dropout, dtype=self.dtype_policy)
        self._feedforward_layer_norm = keras.layers.LayerNormalization(
            epsilon=self.layer_norm_epsilon, name="feedforward_layer_norm", dtype=self.dtype_policy
        )
        self._feedforward_layer_norm.build(inputs_shape)
        self._feedforward_intermediate_dense = keras.layers.Dense(
            self.intermediate_dim, activation=get_activation(self.activation), name="feedforward_intermediate_dense", **self._dense_kwargs()
        )
        self._feedforward_intermediate_dense.build(inputs_shape)
        self._feedforward_output_dense = keras.layers.Dense(hidden_dim, name="feedforward_output_dense", **self._dense_kwargs())
        self._feedforward_output_dense.build(tuple(inputs_shape[:-1]) + (self.intermediate_dim,))
        self._feedforward_dropout = keras.layers.Dropout(self.dropout, dtype=self.dtype_policy)
        self.built = True

    def call(self, inputs, padding_mask=None, attention_mask=None, training=None):
        x = inputs
        mask = merge_padding_and_attention_mask(inputs, padding_mask, attention_mask)
        residual = x
        if self.normalize_first:
            x = self._self_attention_layer_norm(x)
        x = self._self_attention_layer(query=x, value=x, attention_mask=mask, training=training)
        x = self._self_attention_dropout(x, training=training) + residual
        if not self.normalize_first:
            x = self._self_attention_layer_norm(x)
        residual = x
        if self.normalize_first:
            x = self._feedforward_layer_norm(x)
        x = self._feedforward_output_dense(self._feedforward_intermediate_dense(x))
        x = self._feedforward_dropout(x, training=training) + residual
        if not self.normalize_first:
            x = self._feedforward_layer_norm(x)
        return x

    def compute_output_shape(self, inputs_shape):
        return inputs_shape

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "intermediate_dim": self.intermediate_dim,
                "num_heads": self.num_heads,
                "dropout": self.dropout,
                "activation": keras.activations.serialize(self.activation) if callable(self.activation) else self.activation,
                "layer_norm_epsilon": self.layer_norm_epsilon,
                "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
                "bias_initializer": keras.initializers.serialize(self.bias_initializer),
                "normalize_first": self.normalize_first,
            }
        )
        return config
