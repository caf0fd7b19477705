"""`TransformerEncoder`: one encoder block of "Attention Is All You Need"."""

import keras

from kerasverse.nlp.layers.modeling.transformer_block import TransformerBlock
from kerasverse.nlp.layers.modeling.transformer_layer_utils import (
    merge_padding_and_attention_mask,
)


@keras.saving.register_keras_serializable(package="kerasverse")
class TransformerEncoder(TransformerBlock):
    """A transformer encoder block: self-attention then a feedforward network.

    Each sub-block has a residual connection, dropout and layer
    normalization (after the residual by default, as in BERT; before the
    sub-block with `normalize_first=True`, as in GPT-2). Padding is taken
    from `padding_mask` or from the Keras mask of `inputs` (an embedding
    with `mask_zero=True`).

    Args:
        intermediate_dim: width of the feedforward hidden layer.
        num_heads: number of attention heads; each head has `width // num_heads` dimensions.
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

    def build(self, inputs_shape):
        self._self_attention_layer, self._self_attention_layer_norm, self._self_attention_dropout = (
            self._attention_sublayers("self_attention", inputs_shape, inputs_shape)
        )
        self._build_feedforward(inputs_shape)
        self.built = True

    def call(self, inputs, padding_mask=None, attention_mask=None, training=None):
        mask = merge_padding_and_attention_mask(inputs, padding_mask, attention_mask)
        x = self._residual(
            inputs,
            lambda y: self._self_attention_layer(query=y, value=y, attention_mask=mask, training=training),
            self._self_attention_layer_norm,
            self._self_attention_dropout,
            training,
        )
        return self._feedforward_block(x, training)

    def compute_output_shape(self, inputs_shape):
        return inputs_shape
