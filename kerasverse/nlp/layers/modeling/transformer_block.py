"""`TransformerBlock`: what `TransformerEncoder` and `TransformerDecoder` share (not public)."""

import keras

from kerasverse.nlp.layers.modeling.cached_multi_head_attention import (
    CachedMultiHeadAttention,
)
from kerasverse.nlp.layers.modeling.transformer_layer_utils import check_positive_int
from kerasverse.nlp.layers.modeling.transformer_layer_utils import clone_initializer
from kerasverse.nlp.layers.modeling.transformer_layer_utils import get_activation
from kerasverse.nlp.layers.modeling.weight_only import project


class TransformerBlock(keras.layers.Layer):
    """The constructor arguments, sub-layers and feedforward sub-block of a transformer block.

    Subclasses build their attention sub-blocks with `_attention_sublayers`
    and the feedforward one with `_build_feedforward`, and run
    `_feedforward_block` in `call`. The sub-layer attribute names are the
    ones weight files refer to: keep them.
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

    def _layer_norm(self, name, shape):
        layer = keras.layers.LayerNormalization(epsilon=self.layer_norm_epsilon, name=name, dtype=self.dtype_policy)
        layer.build(shape)
        return layer

    def _head_dim(self, hidden_dim):
        # keras_hub: the head size is `hidden_dim // num_heads` (rounded down); the
        # output projection maps `num_heads * head_dim` back to `hidden_dim`, so a
        # width that `num_heads` does not divide (256 with 3 heads) is fine.
        head_dim = int(hidden_dim) // self.num_heads
        if head_dim == 0:
            raise ValueError(
                f"The input width must be at least `num_heads` (the head size is "
                f"`width // num_heads`). Received: input width {hidden_dim}, "
                f"num_heads={self.num_heads}"
            )
        return head_dim

    def _attention_sublayers(self, name, query_shape, value_shape):
        """`(attention, layer_norm, dropout)` of one attention sub-block, built."""
        head_dim = self._head_dim(query_shape[-1])
        attention = CachedMultiHeadAttention(
            num_heads=self.num_heads,
            key_dim=head_dim,
            value_dim=head_dim,
            dropout=self.dropout,
            name=name,
            **self._dense_kwargs(),
        )
        attention.build(query_shape, value_shape)
        layer_norm = self._layer_norm(f"{name}_layer_norm", query_shape)
        return attention, layer_norm, keras.layers.Dropout(self.dropout, dtype=self.dtype_policy)

    def _build_feedforward(self, inputs_shape):
        hidden_dim = inputs_shape[-1]
        self._feedforward_layer_norm = self._layer_norm("feedforward_layer_norm", inputs_shape)
        self._feedforward_intermediate_dense = keras.layers.Dense(
            self.intermediate_dim,
            activation=get_activation(self.activation),
            name="feedforward_intermediate_dense",
            **self._dense_kwargs(),
        )
        self._feedforward_intermediate_dense.build(inputs_shape)
        self._feedforward_output_dense = keras.layers.Dense(hidden_dim, name="feedforward_output_dense", **self._dense_kwargs())
        self._feedforward_output_dense.build(tuple(inputs_shape[:-1]) + (self.intermediate_dim,))
        self._feedforward_dropout = keras.layers.Dropout(self.dropout, dtype=self.dtype_policy)

    def _residual(self, x, sublayer, layer_norm, dropout, training):
        """`sublayer` with dropout, the residual connection and the (pre or post) layer norm."""
        residual = x
        if self.normalize_first:
            x = layer_norm(x)
        x = dropout(sublayer(x), training=training) + residual
        if not self.normalize_first:
            x = layer_norm(x)
        return x

    def _feedforward_block(self, x, training):
        return self._residual(
            x,
            lambda y: project(self._feedforward_output_dense, project(self._feedforward_intermediate_dense, y)),
            self._feedforward_layer_norm,
            self._feedforward_dropout,
            training,
        )

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
