import keras
import numpy as np
import pytest
from keras import ops

from kerasverse.nlp.layers.modeling.cached_multi_head_attention import (
    CachedMultiHeadAttention,
)
from kerasverse.nlp.layers.modeling.transformer_layer_utils import compute_causal_mask
from kerasverse.testing import TestCase


class CachedMultiHeadAttentionTest(TestCase):
    def test_model(self):
        query = keras.Input((4, 6))
        value = keras.Input((3, 6))
        outputs = CachedMultiHeadAttention(num_heads=2, key_dim=3)(query, value)
        model = keras.Model([query, value], outputs)
        rng = np.random.default_rng(0)
        data = [rng.standard_normal((2, 4, 6)).astype("float32"), rng.standard_normal((2, 3, 6)).astype("float32")]
        self.run_model_test(model, data, expected_output_shape=(2, 4, 6))

    def test_without_cache_matches_keras_attention(self):
        rng = np.random.default_rng(0)
        x = rng.standard_normal((2, 4, 6)).astype("float32")
        ours = CachedMultiHeadAttention(num_heads=2, key_dim=3)
        reference = keras.layers.MultiHeadAttention(num_heads=2, key_dim=3)
        ours(x, x)
        reference(x, x)
        reference.set_weights(ours.get_weights())
        self.assertAllClose(ours(x, x), reference(x, x), atol=1e-6)

    def test_cache_decoding_matches_causal_attention(self):
        rng = np.random.default_rng(1)
        x = rng.standard_normal((2, 5, 6)).astype("float32")
        layer = CachedMultiHeadAttention(num_heads=2, key_dim=3)
        full = layer(x, x, attention_mask=compute_causal_mask(2, 5, 5))
        cache = ops.zeros((2, 2, 5, 2, 3))
        steps = []
        for i in range(5):
            out, cache = layer(
                x[:, i : i + 1], x[:, i : i + 1], cache=cache, cache_update_index=i,
                attention_mask=compute_causal_mask(2, 5, 1, i),
            )
            steps.append(out)
        self.assertAllClose(ops.concatenate(steps, axis=1), full, atol=1e-5)
        # The cache holds the projected keys of every position.
        keys = layer._key_dense(x)
        self.assertAllClose(cache[:, 0], keys, atol=1e-5)

    def test_index_without_cache(self):
        layer = CachedMultiHeadAttention(num_heads=2, key_dim=3)
        x = np.zeros((1, 2, 6), "float32")
        with pytest.raises(ValueError, match="needs a `cache`"):
            layer(x, x, cache_update_index=0)

    def test_heads_first_cache_matches_stacked_cache(self):
        # Chunks of 2 then single tokens, with and without a mask, and a
        # padding mask that hides position 1 from every query.
        rng = np.random.default_rng(2)
        x = rng.standard_normal((2, 6, 6)).astype("float32")
        layer = CachedMultiHeadAttention(num_heads=2, key_dim=3)
        padding = np.array([[1, 0, 1, 1, 1, 1], [1, 1, 1, 1, 1, 1]], bool)
        for use_mask in (True, False):
            stacked = ops.zeros((2, 2, 6, 2, 3))
            heads_first = (ops.zeros((2, 2, 6, 3)), ops.zeros((2, 2, 6, 3)))
            for start, length in [(0, 2), (2, 2), (4, 1), (5, 1)]:
                chunk = x[:, start : start + length]
                mask = None
                if use_mask:
                    mask = ops.logical_and(compute_causal_mask(2, 6, length, start), padding[:, None, :])
                expected, stacked = layer(chunk, chunk, cache=stacked, cache_update_index=start, attention_mask=mask)
                output, heads_first = layer(chunk, chunk, cache=heads_first, cache_update_index=start, attention_mask=mask)
                self.assertAllClose(output, expected, atol=1e-5)
            # The caches hold the same keys and values, in their own layouts.
            self.assertAllClose(ops.transpose(heads_first[0], (0, 2, 1, 3)), stacked[:, 0], atol=1e-6)
            self.assertAllClose(ops.transpose(heads_first[1], (0, 2, 1, 3)), stacked[:, 1], atol=1e-6)
            # Reading a full cache without an update index.
            query = x[:, :2]
            expected, _ = layer(query, query, cache=stacked)
            output, unchanged = layer(query, query, cache=heads_first)
            self.assertAllClose(output, expected, atol=1e-5)
            self.assertAllClose(unchanged[0], heads_first[0])

    def test_heads_first_cache_must_be_a_pair(self):
        layer = CachedMultiHeadAttention(num_heads=2, key_dim=3)
        x = np.zeros((1, 1, 6), "float32")
        with pytest.raises(ValueError, match="pair"):
            layer(x, x, cache=(np.zeros((1, 2, 4, 3), "float32"),), cache_update_index=0)
