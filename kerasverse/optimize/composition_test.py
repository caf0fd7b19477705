"""prune -> cluster (sparsity preserving) -> QAT -> strip -> save .keras -> load."""

import os

import keras
import numpy as np

from kerasverse import optimize
from kerasverse.optimize import _testing
from kerasverse.optimize import clustering
from kerasverse.optimize import quantization
from kerasverse.optimize import sparsity
from kerasverse.testing import TestCase


class CompositionTest(TestCase):
    def test_prune_cluster_qat_strip_save_load(self):
        x, y = _testing.separable_data()
        model = _testing.fit(_testing.small_cnn(batch_norm=False), x, y, epochs=3)
        pruned = sparsity.prune_low_magnitude(
            model, pruning_schedule=sparsity.ConstantSparsity(0.75, 0, frequency=2)
        )
        pruned = sparsity.strip_pruning(_testing.fit(pruned, x, y, epochs=1, learning_rate=0.003))
        clustered = clustering.cluster_weights(pruned, 8, preserve_sparsity=True, seed=0)
        clustered = clustering.strip_clustering(
            _testing.fit(clustered, x, y, epochs=1, learning_rate=0.001)
        )
        qat = quantization.quantize_model(clustered, preserve_sparsity=True, preserve_clusters=True)
        final = quantization.strip_qat(_testing.fit(qat, x, y, epochs=1, learning_rate=0.0005))

        report = optimize.summary(final)
        self.assertAllClose(report.total_sparsity, 0.75, atol=0.02)
        self.assertGreater(_testing.accuracy(final, x, y), 0.75)
        self.assertEqual(
            [type(layer).__name__ for layer in final.layers],
            [type(layer).__name__ for layer in model.layers],
        )
        path = os.path.join(self.get_temp_dir(), "final.keras")
        final.save(path)
        quantization.save_quantization_ranges(final, path)
        restored = keras.saving.load_model(path)
        self.assertAllClose(restored.predict(x, verbose=0), final.predict(x, verbose=0), atol=1e-6)
        ranges = quantization.get_quantization_ranges(path)
        self.assertEqual(final.layers[0].name, model.layers[0].name)
        self.assertEqual(set(ranges), {layer.name for layer in final.layers[1:]})
        self.assertIsNotNone(ranges["dense"]["outputs"])
        kernel = np.asarray(keras.ops.convert_to_numpy(restored.get_layer("dense").kernel))
        self.assertAllClose(np.mean(kernel == 0), 0.75, atol=0.02)
        # Clusters survived QAT: per output channel, at most 8 values plus zero.
        self.assertLessEqual(max(len(np.unique(kernel[:, c])) for c in range(kernel.shape[1])), 9)
