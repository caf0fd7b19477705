import math

import keras
import numpy as np
import pytest
from keras import ops

from kerasverse.nlp.layers.modeling.position_embedding import PositionEmbedding
from kerasverse.nlp.layers.modeling.reversible_embedding import ReversibleEmbedding
from kerasverse.nlp.layers.modeling.rotary_embedding import RotaryEmbedding
from kerasverse.nlp.layers.modeling.sine_position_encoding import SinePositionEncoding
from kerasverse.nlp.layers.modeling.token_and_position_embedding import (
    TokenAndPositionEmbedding,
)
from kerasverse.testing import TestCase


class PositionEmbeddingTest(TestCase):
    def test_layer(self):
        self.run_layer_test(
            PositionEmbedding,
            init_kwargs={"sequence_length": 6},
            input_shape=(2, 4, 3),
            expected_output_shape=(2, 4, 3),
            expected_num_trainable_weights=1,
        )

    def test_start_index_and_too_long(self):
        layer = PositionEmbedding(sequence_length=6)
        full = ops.convert_to_numpy(layer(np.zeros((1, 6, 3), "float32")))
        self.assertAllClose(layer(np.zeros((1, 2, 3), "float32"), start_index=3), full[:, 3:5])
        with pytest.raises(ValueError, match="sequence_length=6"):
            layer(np.zeros((1, 7, 3), "float32"))


class SinePositionEncodingTest(TestCase):
    def test_layer(self):
        self.run_layer_test(SinePositionEncoding, init_kwargs={"max_wavelength": 100}, input_shape=(2, 4, 6), expected_output_shape=(2, 4, 6))

    def test_values_match_formula(self):
        out = ops.convert_to_numpy(SinePositionEncoding()(np.zeros((1, 5, 4), "float32")))[0]
        for p in range(5):
            for i in range(2):
                angle = p / 10000 ** (2 * i / 4)
                self.assertAlmostEqual(out[p, 2 * i], math.sin(angle), places=5)
                self.assertAlmostEqual(out[p, 2 * i + 1], math.cos(angle), places=5)


class RotaryEmbeddingTest(TestCase):
    def test_layer(self):
        self.run_layer_test(
            RotaryEmbedding, init_kwargs={"max_wavelength": 100, "sequence_axis": 1, "feature_axis": -1},
            input_shape=(2, 5, 2, 4), expected_output_shape=(2, 5, 2, 4),
        )

    def test_matches_reference_and_keeps_relative_dot_products(self):
        rng = np.random.default_rng(0)
        x = rng.standard_normal((1, 6, 1, 8)).astype("float32")
        out = ops.convert_to_numpy(RotaryEmbedding()(x))
        # Reference: rotate each (x[i], x[i + d/2]) pair by position * theta_i.
        theta = 1.0 / 10000 ** (np.arange(0, 8, 2) / 8)
        expected = np.empty_like(x)
        for p in range(6):
            a, b = x[0, p, 0, :4], x[0, p, 0, 4:]
            cos, sin = np.cos(p * theta), np.sin(p * theta)
            expected[0, p, 0] = np.concatenate([a * cos - b * sin, b * cos + a * sin])
        self.assertAllClose(out, expected, atol=1e-5)
        # Shifting every position by start_index keeps q.k of equal offsets.
        q = np.repeat(x[:, :1], 6, axis=1)
        rotated = ops.convert_to_numpy(RotaryEmbedding()(q))
        shifted = ops.convert_to_numpy(RotaryEmbedding()(q, start_index=4))
        self.assertAlmostEqual(float(rotated[0, 0, 0] @ rotated[0, 2, 0]), float(shifted[0, 0, 0] @ shifted[0, 2, 0]), places=4)


class ReversibleEmbeddingTest(TestCase):
    def test_layer(self):
        self.run_layer_test(
            ReversibleEmbedding, init_kwargs={"input_dim": 10, "output_dim": 4},
            input_data=np.array([[1, 2, 3], [4, 5, 6]]), expected_output_shape=(2, 3, 4), expected_num_trainable_weights=1,
        )

    def test_reverse_uses_transposed_table(self):
        layer = ReversibleEmbedding(10, 4)
        hidden = layer(np.array([[1, 2]]))
        table = ops.convert_to_numpy(layer.embeddings)
        self.assertAllClose(layer(hidden, reverse=True), ops.convert_to_numpy(hidden) @ table.T, atol=1e-6)

    def test_reverse_soft_cap_matches_keras(self):
        ours = ReversibleEmbedding(10, 4, logit_soft_cap=0.5)
        reference = keras.layers.ReversibleEmbedding(10, 4, logit_soft_cap=0.5)
        hidden = ours(np.array([[1, 2]])) * 10.0
        reference.build((1, 2))
        reference.set_weights(ours.get_weights())
        logits = ops.convert_to_numpy(ours(hidden, reverse=True))
        self.assertAllClose(logits, reference(hidden, reverse=True), atol=1e-6)
        self.assertLessEqual(float(np.abs(logits).max()), 0.5)


class TokenAndPositionEmbeddingTest(TestCase):
    def test_layer(self):
        self.run_layer_test(
            TokenAndPositionEmbedding,
            init_kwargs={"vocabulary_size": 10, "sequence_length": 5, "embedding_dim": 4, "mask_zero": True},
            input_data=np.array([[1, 2, 0], [4, 5, 6]]),
            expected_output_shape=(2, 3, 4),
            expected_num_trainable_weights=2,
        )

    def test_sum_of_tables_and_mask(self):
        layer = TokenAndPositionEmbedding(10, 5, 4, mask_zero=True)
        ids = np.array([[3, 0]])
        out = layer(ids)
        tokens = ops.convert_to_numpy(layer.token_embedding.embeddings)
        positions = ops.convert_to_numpy(layer.position_embedding.position_embeddings)
        self.assertAllClose(out, tokens[[3, 0]][None] + positions[:2][None], atol=1e-6)
        self.assertAllEqual(layer.compute_mask(ids), np.array([[True, False]]))
