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
        with pytest.raises(ValueError, match="divisible by `num_heads`"):
            TransformerEncoder(intermediate_dim=8, num_heads=3)(np.zeros((1, 2, 4), "float32"))
