"""`TransformerDecoder`: a decoder block with causal self-attention, optional cross-attention and a KV cache."""

import keras
from keras import ops

from kerasverse.nlp.layers.modeling.transformer_block import TransformerBlock
from kerasverse.nlp.layers.modeling.transformer_layer_utils import compute_causal_mask
from kerasverse.nlp.layers.modeling.transformer_layer_utils import (
    merge_padding_and_attention_mask,
)


@keras.saving.register_keras_serializable(package="kerasverse")
class TransformerDecoder(TransformerBlock):
    """A transformer decoder block: causal self-attention, cross-attention, feedforward.

    Called with only `decoder_sequence` it is a decoder-only block (GPT
    style) and builds no cross-attention. Called with an `encoder_sequence`
    it also attends to it. For fast autoregressive decoding pass a
    `self_attention_cache` of shape
    `(batch_size, 2, max_length, num_heads, head_dim)` and the position
    `self_attention_cache_update_index` of the first token of
    `decoder_sequence` (or a heads-first `(key_cache, value_cache)` pair, each
    `(batch_size, num_heads, max_length, head_dim)`, which decoding updates
    in place; see `CachedMultiHeadAttention`): the block writes that token's
    keys and values into the cache and returns `(outputs, self_attention_cache)`. Decoding token
    by token with the cache gives the same outputs as one full causal pass.

    Args:
        intermediate_dim: width of the feedforward hidden layer.
        num_heads: number of attention heads; each head has `width // num_heads` dimensions.
        dropout: dropout rate.
        activation: feedforward activation (a Keras activation name, a
            callable, or `"gelu_approximate"`).
        layer_norm_epsilon: epsilon of the layer normalizations.
        kernel_initializer: initializer of the dense kernels.
        bias_initializer: initializer of the dense biases.
        normalize_first: normalize before each sub-block (pre-LN, GPT-2).
        **kwargs: `keras.layers.Layer` arguments.

    Call arguments:
        decoder_sequence: `(batch_size, target_length, hidden_dim)`.
        encoder_sequence: optional `(batch_size, source_length, hidden_dim)`.
        decoder_padding_mask, encoder_padding_mask: optional boolean
            `(batch_size, length)` masks.
        decoder_attention_mask, encoder_attention_mask: optional boolean
            `(batch_size, target_length, length)` masks.
        self_attention_cache, self_attention_cache_update_index: the
            self-attention KV cache and the write position.
        cross_attention_cache, cross_attention_cache_update_index: the
            cross-attention KV cache; with index `None` the cache is read
            as is (the encoder output was projected once).
        use_causal_mask: mask future positions in self-attention.

    Example:

    ```python
    import numpy as np
    decoder = TransformerDecoder(intermediate_dim=64, num_heads=4)
    outputs = decoder(np.random.rand(2, 10, 32).astype("float32"))  # (2, 10, 32)
    ```
    """

    def __init__(self, intermediate_dim, num_heads, **kwargs):
        super().__init__(intermediate_dim, num_heads, **kwargs)
        self._cross_attention_layer = None

    def build(self, decoder_sequence_shape, encoder_sequence_shape=None):
        self._self_attention_layer, self._self_attention_layer_norm, self._self_attention_dropout = (
            self._attention_sublayers("self_attention", decoder_sequence_shape, decoder_sequence_shape)
        )
        if encoder_sequence_shape is not None:
            self._cross_attention_layer, self._cross_attention_layer_norm, self._cross_attention_dropout = (
                self._attention_sublayers("cross_attention", decoder_sequence_shape, encoder_sequence_shape)
            )
        self._build_feedforward(decoder_sequence_shape)
        self.built = True

    def call(
        self,
        decoder_sequence,
        encoder_sequence=None,
        decoder_padding_mask=None,
        decoder_attention_mask=None,
        encoder_padding_mask=None,
        encoder_attention_mask=None,
        self_attention_cache=None,
        self_attention_cache_update_index=None,
        cross_attention_cache=None,
        cross_attention_cache_update_index=None,
        use_causal_mask=True,
        training=None,
    ):
        has_encoder = encoder_sequence is not None or cross_attention_cache is not None
        if has_encoder and self._cross_attention_layer is None:
            raise ValueError(
                "This TransformerDecoder was built without an `encoder_sequence`, so it has no "
                "cross-attention. Received an `encoder_sequence` (or `cross_attention_cache`) at call "
                "time. Call the layer with the encoder sequence from its first call."
            )
        if not has_encoder and self._cross_attention_layer is not None:
            raise ValueError(
                "This TransformerDecoder was built with cross-attention and needs an "
                "`encoder_sequence` (or a `cross_attention_cache`). Received none."
            )
        if (self_attention_cache is None) != (self_attention_cache_update_index is None):
            raise ValueError(
                "Pass `self_attention_cache` and `self_attention_cache_update_index` together. Received: "
                f"self_attention_cache={'set' if self_attention_cache is not None else None}, "
                f"self_attention_cache_update_index={self_attention_cache_update_index}"
            )
        x = decoder_sequence
        self_attention_mask = self._self_attention_mask(
            decoder_sequence, decoder_padding_mask, decoder_attention_mask, use_causal_mask,
            self_attention_cache, self_attention_cache_update_index,
        )
        x, self_attention_cache = self._attention_block(
            x,
            (self._self_attention_layer, self._self_attention_layer_norm, self._self_attention_dropout),
            None,
            self_attention_mask,
            self_attention_cache,
            self_attention_cache_update_index,
            training,
        )
        if has_encoder:
            cross_mask = None
            if encoder_sequence is not None:
                cross_mask = merge_padding_and_attention_mask(encoder_sequence, encoder_padding_mask, encoder_attention_mask)
                if cross_mask is not None and len(cross_mask.shape) == 3 and cross_mask.shape[1] == 1:
                    cross_mask = ops.repeat(cross_mask, ops.shape(x)[1], axis=1)
            x, cross_attention_cache = self._attention_block(
                x,
                (self._cross_attention_layer, self._cross_attention_layer_norm, self._cross_attention_dropout),
                encoder_sequence,
                cross_mask,
                cross_attention_cache,
                cross_attention_cache_update_index,
                training,
            )

        x = self._feedforward_block(x, training)

        if self_attention_cache is not None:
            if cross_attention_cache is not None:
                return x, self_attention_cache, cross_attention_cache
            return x, self_attention_cache
        return x

    def _attention_block(self, x, sublayers, value, mask, cache, cache_update_index, training):
        """One attention sub-block with its residual; returns `(x, cache)`.

        `value=None` attends to the block's own (normalized) input; the
        cache is the one the attention layer returns (None without a cache).
        """
        attention, layer_norm, dropout = sublayers
        updated = [cache]

        def attend(y):
            output = attention(
                query=y,
                value=y if value is None else value,
                attention_mask=mask,
                cache=cache,
                cache_update_index=cache_update_index,
                training=training,
            )
            if cache is not None:
                output, updated[0] = output
            return output

        return self._residual(x, attend, layer_norm, dropout, training), updated[0]

    def _self_attention_mask(self, decoder_sequence, padding_mask, attention_mask, use_causal_mask, cache, cache_update_index):
        batch_size = ops.shape(decoder_sequence)[0]
        output_length = ops.shape(decoder_sequence)[1]
        if cache is None:
            input_length = output_length
        elif isinstance(cache, (tuple, list)):  # Heads-first (key_cache, value_cache).
            input_length = ops.shape(cache[0])[2]
        else:
            input_length = ops.shape(cache)[2]
        mask = None
        if cache is None:
            mask = merge_padding_and_attention_mask(decoder_sequence, padding_mask, attention_mask)
        elif padding_mask is not None or attention_mask is not None:
            # With a cache the keys span the whole cache: masks must be given over it.
            mask = merge_padding_and_attention_mask(decoder_sequence, padding_mask, attention_mask)
        if use_causal_mask:
            causal_mask = compute_causal_mask(batch_size, input_length, output_length, 0 if cache_update_index is None else cache_update_index)
            mask = causal_mask if mask is None else ops.logical_and(mask, causal_mask)
        return mask

    def compute_output_spec(self, decoder_sequence, encoder_sequence=None, self_attention_cache=None, cross_attention_cache=None, **kwargs):
        output = keras.KerasTensor(decoder_sequence.shape, dtype=self.compute_dtype)
        if self_attention_cache is not None:
            outputs = (output, _cache_spec(self_attention_cache, self.compute_dtype))
            if cross_attention_cache is not None:
                outputs += (_cache_spec(cross_attention_cache, self.compute_dtype),)
            return outputs
        return output


def _cache_spec(cache, dtype):
    if isinstance(cache, (tuple, list)):
        return tuple(keras.KerasTensor(c.shape, dtype=dtype) for c in cache)
    return keras.KerasTensor(cache.shape, dtype=dtype)
