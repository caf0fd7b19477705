import numpy as np
import pytest

from kerasverse.optimize.clustering.centroid_initialization import initial_centroids
from kerasverse.testing import TestCase


class CentroidInitializationTest(TestCase):
    def setUp(self):
        super().setUp()
        rng = np.random.default_rng(0)
        # Two dense bumps and a sparse tail.
        self.values = np.concatenate(
            [rng.normal(-1, 0.05, 500), rng.normal(1, 0.05, 500), rng.uniform(2, 5, 20)]
        )

    def test_linear(self):
        centroids = initial_centroids(self.values, 5, "linear")
        self.assertAllClose(centroids, np.linspace(self.values.min(), self.values.max(), 5), atol=1e-5)

    def test_density_based_follows_the_data(self):
        centroids = initial_centroids(self.values, 8, "density_based")
        near_bumps = np.sum(np.minimum(np.abs(centroids - 1), np.abs(centroids + 1)) < 0.2)
        self.assertGreaterEqual(near_bumps, 6)  # linear would put only ~2 there

    def test_random_is_seeded_and_in_range(self):
        a = initial_centroids(self.values, 6, "random", seed=3)
        self.assertAllClose(a, initial_centroids(self.values, 6, "random", seed=3))
        self.assertTrue(np.all((a >= self.values.min()) & (a <= self.values.max())))

    def test_kmeans_plus_plus_picks_data_points_in_both_bumps(self):
        centroids = initial_centroids(self.values, 4, "kmeans_plus_plus", seed=0)
        self.assertTrue(all(np.min(np.abs(self.values - c)) < 1e-6 for c in centroids))
        self.assertTrue(np.any(centroids < 0) and np.any((centroids > 0.5) & (centroids < 1.5)))

    def test_unknown_method(self):
        with pytest.raises(ValueError, match="Received: cluster_centroids_init='kmeans'"):
            initial_centroids(self.values, 4, "kmeans")
