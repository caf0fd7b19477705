import os

import keras
import numpy as np
import pytest

from kerasverse.optimize import _testing
from kerasverse.optimize import clustering
from kerasverse.optimize import sparsity
from kerasverse.testing import TestCase


def _numpy(x):
    return np.asarray(keras.ops.convert_to_numpy(x))


class ClusterWeightsTest(TestCase):
    def test_layer_contract(self):
        self.run_layer_test(
            clustering.ClusterWeights,
            {"layer": keras.layers.Dense(4), "number_of_clusters": 3, "seed": 1},
            input_shape=(2, 8),
            expected_output_shape=(2, 4),
        )

    def test_layer_uses_nearest_centroids(self):
        layer = clustering.ClusterWeights(
            keras.layers.Dense(4, use_bias=False), number_of_clusters=3, cluster_centroids_init="linear"
        )
        inputs = np.eye(8, dtype="float32")
        output = _numpy(layer(inputs))  # identity input: the output is the kernel
        kernel = _numpy(layer.layer.kernel)
        centroids = np.linspace(kernel.min(), kernel.max(), 3)
        expected = centroids[np.argmin(np.abs(kernel[..., None] - centroids), axis=-1)]
        self.assertAllClose(output, expected, atol=1e-6)

    def test_train_strip_save(self):
        x, y = _testing.separable_data()
        model = _testing.fit(_testing.small_cnn(), x, y, epochs=3)
        clustered = clustering.cluster_weights(model, number_of_clusters=8, seed=0)
        centroids_before = _numpy(clustered.get_layer("cluster_dense").centroids[0]).copy()
        _testing.fit(clustered, x, y, epochs=1, learning_rate=0.001)
        self.assertNotAllClose(clustered.get_layer("cluster_dense").centroids[0], centroids_before)
        self.assertGreater(_testing.accuracy(clustered, x, y), 0.8)
        plain = clustering.strip_clustering(clustered)
        for name in ("conv2d", "dense", "dense_1"):
            self.assertLessEqual(len(np.unique(_numpy(plain.get_layer(name).kernel))), 8)
        self.assertAllClose(plain.predict(x, verbose=0), clustered.predict(x, verbose=0), atol=1e-5)
        path = os.path.join(self.get_temp_dir(), "clustered.keras")
        clustered.save(path)
        with clustering.cluster_scope():
            restored = keras.saving.load_model(path)
        self.assertAllClose(restored.predict(x, verbose=0), clustered.predict(x, verbose=0), atol=1e-5)

    def test_preserve_sparsity(self):
        x, y = _testing.separable_data()
        pruned = sparsity.prune_low_magnitude(
            _testing.small_cnn(batch_norm=False),
            pruning_schedule=sparsity.ConstantSparsity(0.6, 0, frequency=1),
        )
        pruned = sparsity.strip_pruning(_testing.fit(pruned, x, y, epochs=1))
        zeros = _numpy(pruned.get_layer("dense").kernel) == 0
        clustered = clustering.cluster_weights(pruned, 4, preserve_sparsity=True, seed=0)
        _testing.fit(clustered, x, y, epochs=1)
        kernel = _numpy(clustering.strip_clustering(clustered).get_layer("dense").kernel)
        self.assertAllEqual(kernel == 0, zeros)
        self.assertEqual(len(np.unique(kernel[~zeros])), 4)

    def test_bad_input(self):
        with pytest.raises(ValueError, match=r"number_of_clusters.*>= 2. Received: number_of_clusters=1"):
            clustering.ClusterWeights(keras.layers.Dense(2), number_of_clusters=1)
        with pytest.raises(ValueError, match="'tiny': `number_of_clusters=16` is larger than the 6"):
            clustering.ClusterWeights(keras.layers.Dense(2, name="tiny"), 16)(np.ones((1, 3), "float32"))
        with pytest.raises(ValueError, match="'gru' of type GRU cannot be clustered"):
            clustering.cluster_weights(keras.Sequential([keras.Input((3, 2)), keras.layers.GRU(2, name="gru")]), 4)
        plain = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)], name="plain")
        with pytest.raises(ValueError, match="'plain' without any `ClusterWeights`"):
            clustering.strip_clustering(plain)

    def test_tfmot_spelling(self):
        self.assertIs(clustering.keras.cluster_weights, clustering.cluster_weights)
        self.assertEqual(clustering.CentroidInitialization.KMEANS_PLUS_PLUS, "kmeans_plus_plus")
