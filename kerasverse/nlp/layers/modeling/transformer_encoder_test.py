import keras
import numpy as np
import pytest
from keras import ops

from kerasverse.nlp.layers.modeling.transformer_encoder import TransformerEncoder
from kerasverse.testing import TestCase


class TransformerEncoderTest(TestCase):
    def test_layer(self):
        self.run_layer_test(
            TransformerEncoder,
            init_kwargs={"intermediate_dim": 8, "num_heads": 2, "activation": "gelu", "normalize_first": True},
            input_shape=(2, 5, 4),
            expected_output_shape=(2, 5, 4),
            expected_num_trainable_weights=16,
            tolerance=1e-5,
        )

    def test_padding_mask_ignores_padded_tokens(self):
        encoder = TransformerEncoder(intermediate_dim=8, num_heads=2)
        x = np.random.default_rng(0).standard_normal((1, 5, 4)).astype("float32")
        mask = np.array([[1, 1, 1, 0, 0]], bool)
        changed = x.copy()
        changed[:, 3:] = 7.0
        a = encoder(x, padding_mask=mask)
        b = encoder(changed, padding_mask=mask)
        self.assertAllClose(ops.convert_to_numpy(a)[:, :3], ops.convert_to_numpy(b)[:, :3], atol=1e-5)

    def test_keras_mask_from_embedding(self):
        ids = np.array([[3, 4, 0, 0]])
        embedding = keras.layers.Embedding(10, 4, mask_zero=True)
        encoder = TransformerEncoder(intermediate_dim=8, num_heads=2)
        with_keras_mask = encoder(embedding(ids))
        explicit = encoder(embedding(ids), padding_mask=ids != 0)
        self.assertAllClose(with_keras_mask, explicit)

    def test_bad_arguments(self):
        with pytest.raises(ValueError, match="Received: num_heads=0"):
            TransformerEncoder(intermediate_dim=8, num_heads=0)
        with pytest.raises(ValueError, match="at least `num_heads`.*input width 2, num_heads=3"):
            TransformerEncoder(intermediate_dim=8, num_heads=3)(np.zeros((1, 2, 2), "float32"))

    def test_width_not_divisible_by_num_heads(self):
        # keras_hub: head size `width // num_heads` (256 // 3 = 85 in the keras.io GPT
        # example); the output projection maps 3 * 85 back to the width.
        encoder = TransformerEncoder(intermediate_dim=8, num_heads=3)
        x = np.random.default_rng(1).standard_normal((2, 5, 8)).astype("float32")
        outputs = encoder(x)
        self.assertEqual(tuple(outputs.shape), (2, 5, 8))
        attention = encoder._self_attention_layer
        self.assertEqual(tuple(attention._query_dense.kernel.shape), (8, 3, 2))
        self.assertEqual(tuple(attention._output_dense.kernel.shape), (3, 2, 8))
        # Same numbers as core Keras' MultiHeadAttention(key_dim=width // num_heads),
        # which is what keras_hub builds.
        reference = keras.layers.MultiHeadAttention(num_heads=3, key_dim=2)
        reference.build((2, 5, 8), (2, 5, 8))
        reference.set_weights(attention.get_weights())
        self.assertAllClose(attention(query=x, value=x), reference(x, x), atol=1e-5)

