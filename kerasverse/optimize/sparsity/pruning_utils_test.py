import numpy as np

from kerasverse.optimize.sparsity import pruning_utils
from kerasverse.testing import TestCase


class PruningUtilsTest(TestCase):
    def test_magnitude_mask_matches_numpy(self):
        weight = np.random.default_rng(0).standard_normal((6, 10)).astype("float32")
        mask = np.asarray(pruning_utils.magnitude_mask(weight, 0.75))
        # Oracle: the 15 largest magnitudes survive.
        keep = np.zeros(60, bool)
        keep[np.argsort(np.abs(weight).ravel())[-15:]] = True
        self.assertAllEqual(mask.ravel().astype(bool), keep)

    def test_zero_sparsity_keeps_everything(self):
        weight = np.zeros((3, 3), "float32")
        self.assertAllEqual(pruning_utils.magnitude_mask(weight, 0.0), np.ones((3, 3)))

    def test_block_mask_prunes_whole_blocks(self):
        weight = np.random.default_rng(1).standard_normal((8, 8)).astype("float32")
        mask = np.asarray(pruning_utils.block_magnitude_mask(weight, 0.5, (2, 4)))
        blocks = mask.reshape(4, 2, 2, 4).transpose(0, 2, 1, 3).reshape(8, 8)
        self.assertTrue(all(len(set(row)) == 1 for row in blocks))  # each block uniform
        self.assertAllClose(mask.mean(), 0.5)
        # Oracle: block scores are mean magnitudes; the top half survives.
        scores = np.abs(weight).reshape(4, 2, 2, 4).mean(axis=(1, 3))
        self.assertAllEqual(blocks[:, 0] > 0, scores.ravel() > np.median(scores))

    def test_m_by_n_mask(self):
        weight = np.random.default_rng(2).standard_normal((3, 3, 8, 5)).astype("float32")
        mask = np.asarray(pruning_utils.m_by_n_mask(weight, 2, 4))
        groups = np.moveaxis(mask, 2, -1).reshape(-1, 4)
        self.assertAllEqual(groups.sum(axis=1), np.full(len(groups), 2.0))
        magnitudes = np.moveaxis(np.abs(weight), 2, -1).reshape(-1, 4)
        expected = np.argsort(-magnitudes, axis=1)[:, :2]
        self.assertAllEqual(np.sort(np.argsort(-groups, axis=1, kind="stable")[:, :2]), np.sort(expected))
