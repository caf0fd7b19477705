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
