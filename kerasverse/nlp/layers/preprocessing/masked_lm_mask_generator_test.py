import keras
import numpy as np
import pytest

from kerasverse.nlp.layers.preprocessing.masked_lm_mask_generator import (
    MaskedLMMaskGenerator,
)
from kerasverse.testing import TestCase


class MaskedLMMaskGeneratorTest(TestCase):
    def test_dense_outputs(self):
        masker = MaskedLMMaskGenerator(
            vocabulary_size=100, mask_selection_rate=0.5, mask_token_id=99,
            mask_selection_length=4, unselectable_token_ids=[0, 1], seed=3,
        )
        inputs = np.array([[1, 10, 11, 12, 13, 14, 0, 0], [1, 20, 21, 0, 0, 0, 0, 0]], "int32")
        out = masker(inputs)
        self.assertEqual(out["token_ids"].shape, (2, 8))
        self.assertEqual(out["mask_positions"].shape, (2, 4))
        np.testing.assert_array_equal(out["mask_weights"], [[1, 1, 1, 0], [1, 0, 0, 0]])
        for b in range(2):
            for position, original, weight in zip(out["mask_positions"][b], out["mask_ids"][b], out["mask_weights"][b]):
                if weight:
                    self.assertEqual(original, inputs[b, position])
                    self.assertNotIn(inputs[b, position], (0, 1))
            unchanged = np.ones(8, bool)
            unchanged[out["mask_positions"][b][out["mask_weights"][b] > 0]] = False
            np.testing.assert_array_equal(out["token_ids"][b][unchanged], inputs[b][unchanged])

    def test_rates_and_seed(self):
        masker = MaskedLMMaskGenerator(vocabulary_size=1000, mask_selection_rate=0.2, mask_token_id=0,
                                       unselectable_token_ids=[], seed=0)
        rows = np.random.default_rng(1).integers(1, 1000, size=(400, 50)).tolist()
        out = masker(rows)
        counts = [len(p) for p in out["mask_positions"]]
        self.assertEqual(set(counts), {10})
        tokens = np.array(out["token_ids"])
        positions = np.array(out["mask_positions"])
        picked = np.take_along_axis(tokens, positions, 1)
        original = np.take_along_axis(np.array(rows), positions, 1)
        masked_share = np.mean(picked == 0)
        kept_share = np.mean(picked == original)
        self.assertAlmostEqual(masked_share, 0.8, delta=0.03)
        self.assertAlmostEqual(kept_share, 0.1, delta=0.03)
        again = MaskedLMMaskGenerator(vocabulary_size=1000, mask_selection_rate=0.2, mask_token_id=0,
                                      unselectable_token_ids=[], seed=0)(rows)
        self.assertEqual(again["mask_positions"], out["mask_positions"])

    def test_ragged_unbatched_config_and_errors(self):
        masker = MaskedLMMaskGenerator(vocabulary_size=10, mask_selection_rate=0.5, mask_token_id=9, seed=1)
        out = masker([3, 4, 5, 6])
        self.assertEqual(len(out["mask_positions"]), 2)
        self.assertEqual(out["mask_weights"], [1.0, 1.0])
        revived = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(masker))
        self.assertEqual(revived.get_config(), masker.get_config())
        with pytest.raises(ValueError, match="Received: mask_selection_rate=1.5"):
            MaskedLMMaskGenerator(10, 1.5, 9)
        with pytest.raises(ValueError, match="sum to at most 1"):
            MaskedLMMaskGenerator(10, 0.5, 9, mask_token_rate=0.8, random_token_rate=0.5)
