"""n-bit QAT (tfmot's experimental default_n_bit scheme) and the combine schemes."""

import keras
import numpy as np
import pytest

from kerasverse.optimize import clustering
from kerasverse.optimize import experimental
from kerasverse.optimize import quantization
from kerasverse.optimize import sparsity
from kerasverse.testing import TestCase

DefaultNBitQuantizeScheme = quantization.keras.experimental.default_n_bit.DefaultNBitQuantizeScheme


def _model():
    return keras.Sequential(
        [
            keras.Input((6, 6, 2)),
            keras.layers.DepthwiseConv2D(3, depth_multiplier=2, name="dw"),
            keras.layers.Conv2D(4, 1, activation="relu", name="pw"),
            keras.layers.Flatten(),
            keras.layers.Dense(3, name="head"),
        ]
    )


def _trained(scheme):
    qat = quantization.quantize_model(_model(), scheme=scheme)
    rng = np.random.default_rng(0)
    qat.compile("adam", "mse")
    qat.fit(rng.standard_normal((16, 6, 6, 2)), rng.standard_normal((16, 3)), epochs=1, verbose=0)
    return qat


def _levels_per_channel(kernel):
    """Distinct |integer levels| per output channel on the symmetric narrow grid."""
    flat = kernel.reshape(-1, kernel.shape[-1])
    scale = np.abs(flat).max(axis=0) / 7.0
    ratio = flat / scale
    return np.abs(ratio - np.round(ratio)).max(), np.abs(np.round(ratio)).max()


class NBitSchemeTest(TestCase):
    def test_4bit_weights_4bit_activations(self):
        qat = _trained(DefaultNBitQuantizeScheme(num_bits_weight=4, num_bits_activation=4))
        self.assertEqual(qat.get_layer("quant_head").num_bits_weight, 4)
        stripped = quantization.strip_qat(qat)
        for name in ("pw", "head"):
            kernel = keras.ops.convert_to_numpy(stripped.get_layer(name).kernel)
            off_grid, top = _levels_per_channel(kernel)
            self.assertLess(off_grid, 1e-3, name)  # on the [-7, 7] grid of each channel
            self.assertEqual(top, 7.0)
        depthwise = keras.ops.convert_to_numpy(stripped.get_layer("dw").kernel)
        off_grid, _ = _levels_per_channel(depthwise.reshape(3, 3, 4))
        self.assertLess(off_grid, 1e-3)
        # Activations: 16 levels of the learned output range.
        low, high = stripped.quantization_ranges["pw"]["outputs"]
        features = keras.Model(qat.inputs, qat.get_layer("quant_pw").output)(
            np.random.default_rng(1).standard_normal((4, 6, 6, 2))
        )
        ratio = (keras.ops.convert_to_numpy(features) - low) / ((high - low) / 15.0)
        self.assertLess(np.abs(ratio - np.round(ratio)).max(), 1e-2)
        self.assertLessEqual(len(np.unique(np.round(ratio))), 16)

    def test_per_tensor(self):
        qat = _trained(DefaultNBitQuantizeScheme(disable_per_axis=True, num_bits_weight=4))
        kernel = keras.ops.convert_to_numpy(quantization.strip_qat(qat).get_layer("head").kernel)
        self.assertLessEqual(len(np.unique(kernel)), 15)

    def test_8bit_default_matches_default_scheme(self):
        x = np.random.default_rng(2).standard_normal((2, 6, 6, 2)).astype("float32")
        model = _model()
        plain = quantization.quantize_model(model)
        schemed = quantization.quantize_apply(
            quantization.quantize_annotate_model(model), quantization.default_8bit.Default8BitQuantizeScheme()
        )
        self.assertAllClose(plain(x), schemed(x))

    def test_bad_input(self):
        with pytest.raises(ValueError, match=r"num_bits_weight.*Received: num_bits_weight=1"):
            DefaultNBitQuantizeScheme(num_bits_weight=1)
        with pytest.raises(ValueError, match=r"Received: num_bits_activation=16"):
            DefaultNBitQuantizeScheme(num_bits_activation=16)
        with pytest.raises(ValueError, match=r"`scheme` must be a quantization scheme.*Received: scheme='int4'"):
            quantization.quantize_model(_model(), scheme="int4")
        lstm = keras.Sequential([keras.Input((3, 2)), keras.layers.LSTM(2, name="lstm")])
        with pytest.raises(ValueError, match="'lstm' of type LSTM is not supported"):
            quantization.quantize_model(lstm, scheme=DefaultNBitQuantizeScheme(num_bits_weight=4))


class CombineSchemesTest(TestCase):
    def test_prune_preserve(self):
        pruned = sparsity.prune_low_magnitude(
            _model(), pruning_schedule=sparsity.ConstantSparsity(0.5, 0, frequency=1)
        )
        pruned(np.ones((1, 6, 6, 2), "float32"), training=True)
        stripped = sparsity.strip_pruning(pruned)
        pqat = quantization.quantize_apply(
            quantization.quantize_annotate_model(stripped),
            experimental.combine.Default8BitPrunePreserveQuantizeScheme(),
        )
        pqat.compile("adam", "mse")
        rng = np.random.default_rng(0)
        pqat.fit(rng.standard_normal((8, 6, 6, 2)), rng.standard_normal((8, 3)), epochs=1, verbose=0)
        zeros_before = keras.ops.convert_to_numpy(stripped.get_layer("head").kernel) == 0
        kernel = keras.ops.convert_to_numpy(quantization.strip_qat(pqat).get_layer("head").kernel)
        self.assertTrue(np.all(kernel[zeros_before] == 0))
        self.assertAlmostEqual(float(np.mean(zeros_before)), 0.5, delta=0.02)

    def test_cluster_preserve_with_sparsity(self):
        clustered = clustering.cluster_weights(
            _model(), number_of_clusters=4, cluster_centroids_init=clustering.CentroidInitialization.LINEAR
        )
        stripped = clustering.strip_clustering(clustered)
        scheme = experimental.combine.Default8BitClusterPreserveQuantizeScheme(preserve_sparsity=True)
        self.assertTrue(scheme.preserve_sparsity and scheme.preserve_clusters)
        cqat = quantization.quantize_apply(quantization.quantize_annotate_model(stripped), scheme)
        cqat.compile("adam", "mse")
        rng = np.random.default_rng(0)
        cqat.fit(rng.standard_normal((8, 6, 6, 2)), rng.standard_normal((8, 3)), epochs=1, verbose=0)
        final = experimental.combine.strip_clustering_cqat(cqat)
        self.assertLessEqual(len(np.unique(keras.ops.convert_to_numpy(final.get_layer("head").kernel))), 4)


class ClusterableLayerTest(TestCase):
    def test_custom_layer(self):
        class MyDenseLayer(keras.layers.Dense, clustering.keras.ClusterableLayer):
            def get_clusterable_weights(self):
                return [("kernel", self.kernel), ("bias", self.bias)]

        layer = MyDenseLayer(4, bias_initializer="random_normal")
        model = keras.Sequential([keras.Input((5,)), layer])
        clustered = clustering.cluster_weights(
            model, number_of_clusters=2, cluster_centroids_init=clustering.CentroidInitialization.LINEAR
        )
        final = clustering.strip_clustering(clustered)
        self.assertEqual(len(np.unique(keras.ops.convert_to_numpy(final.layers[0].kernel))), 2)
        self.assertEqual(len(np.unique(keras.ops.convert_to_numpy(final.layers[0].bias))), 2)
        with pytest.raises(TypeError):
            clustering.ClusterableLayer()  # abstract, like tfmot's
