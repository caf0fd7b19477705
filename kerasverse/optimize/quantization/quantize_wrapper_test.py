import keras
import numpy as np
import pytest

from kerasverse.optimize import quantization
from kerasverse.optimize.quantization.quantize_wrapper import fake_quantize_weight
from kerasverse.testing import TestCase


def _numpy(x):
    return np.asarray(keras.ops.convert_to_numpy(x))


class QuantizeWrapperTest(TestCase):
    def test_layer_contract(self):
        for layer, shape, out in (
            (keras.layers.Dense(4), (2, 8), (2, 4)),
            (keras.layers.SeparableConv2D(4, 3), (2, 5, 5, 3), (2, 3, 3, 4)),
        ):
            self.run_layer_test(
                quantization.QuantizeWrapper,
                {"layer": layer, "quantize_inputs": True},
                input_shape=shape,
                expected_output_shape=out,
            )

    def test_weight_fake_quant_matches_numpy(self):
        kernel = np.random.default_rng(0).standard_normal((5, 3)).astype("float32")
        scale = np.abs(kernel).max(axis=0) / 127.0
        expected = np.round(kernel / scale) * scale
        self.assertAllClose(fake_quantize_weight(kernel), expected, atol=1e-6)

    def test_output_range_first_batch_then_ema(self):
        layer = quantization.QuantizeWrapper(
            keras.layers.Dense(3, use_bias=False), ema_decay=0.5
        )
        first = np.random.default_rng(1).standard_normal((4, 6)).astype("float32")
        float_out = _numpy(layer(first))  # not trained yet: float output
        self.assertIsNone(layer.get_ranges()["outputs"])
        layer(first, training=True)
        low, high = layer.get_ranges()["outputs"]
        self.assertAllClose([low, high], [min(0, float_out.min()), max(0, float_out.max())], atol=1e-2)
        second = 3 * first
        layer(second, training=True)
        new_low, new_high = layer.get_ranges()["outputs"]
        self.assertAllClose(new_high, 0.5 * high + 0.5 * max(0, 3 * float_out.max()), atol=3e-2)
        self.assertLess(new_low, low)
        # Outputs now lie on the 256-level grid of the learned range.
        outputs = _numpy(layer(first))
        step = (new_high - new_low) / 255.0
        gaps = np.diff(np.unique(outputs)) / step
        self.assertAllClose(gaps, np.round(gaps), atol=1e-2)

    def test_preserve_sparsity(self):
        inner = keras.layers.Dense(2, use_bias=False)
        inner.build((None, 4))
        inner.kernel.assign(np.array([[0, 1], [2, 0], [0, 0], [3, 4]], "float32"))
        layer = quantization.QuantizeWrapper(inner, preserve_sparsity=True)
        layer.build((None, 4))
        inner.kernel.assign(np.ones((4, 2), "float32"))  # training moved zeros
        kernel = layer.effective_weights()[0]
        self.assertAllEqual(kernel == 0, np.array([[1, 0], [0, 1], [1, 1], [0, 0]], bool))

    def test_bad_input(self):
        with pytest.raises(ValueError, match="'lstm' of type LSTM is not supported"):
            quantization.QuantizeWrapper(keras.layers.LSTM(2, name="lstm"))
        with pytest.raises(ValueError, match=r"ema_decay.*Received: ema_decay=1.5"):
            quantization.QuantizeWrapper(keras.layers.Dense(2), ema_decay=1.5)
        with pytest.raises(ValueError, match="already wrapped"):
            quantization.QuantizeWrapper(quantization.QuantizeWrapper(keras.layers.Dense(2)))


class DepthwiseQuantizeTest(TestCase):
    def test_depthwise_is_per_output_channel(self):
        layer = quantization.QuantizeWrapper(keras.layers.DepthwiseConv2D(3, depth_multiplier=2))
        layer.build((None, 5, 5, 3))
        kernel = _numpy(layer.layer.kernel)  # (3, 3, 3, 2)
        low, high = layer.get_ranges()["kernel_per_channel"]
        self.assertAllClose(high, np.abs(kernel).reshape(9, 6).max(axis=0))
        scale = high.reshape(3, 2) / 127.0
        quantized = layer.effective_weights()[0]
        self.assertAllClose(quantized, np.round(kernel / scale) * scale, atol=1e-6)


class PreserveClustersTest(TestCase):
    def test_centroids_train_and_assignments_stay(self):
        inner = keras.layers.Dense(3, use_bias=False)
        inner.build((None, 4))
        values = np.array([-0.5, 0.25, 0.75], "float32")
        assignment = np.random.default_rng(0).integers(0, 3, (4, 3))
        inner.kernel.assign(values[assignment])
        model = keras.Sequential([keras.Input((4,)), quantization.QuantizeWrapper(inner, preserve_clusters=True)])
        wrapper = model.layers[0]
        self.assertEqual(wrapper.cluster_counts, [3])
        self.assertNotIn(inner.kernel.path, [w.path for w in model.trainable_weights])
        model.compile(keras.optimizers.SGD(0.1), "mse")
        x = np.random.default_rng(1).standard_normal((16, 4)).astype("float32")
        model.fit(x, np.ones((16, 3), "float32"), epochs=2, verbose=0)
        kernel = wrapper.effective_weights()[0]
        self.assertNotAllClose(_numpy(wrapper.cluster_centroids[0]), values)
        for column in range(3):  # same assignment, so equal values stay equal
            for a in range(4):
                for b in range(4):
                    if assignment[a, column] == assignment[b, column]:
                        self.assertEqual(kernel[a, column], kernel[b, column])
        revived = quantization.QuantizeWrapper.from_config(wrapper.get_config())
        self.assertEqual(revived.cluster_counts, [3])

    def test_unclustered_weight(self):
        with pytest.raises(ValueError, match="with 300 distinct values"):
            layer = quantization.QuantizeWrapper(keras.layers.Dense(30), preserve_clusters=True)
            layer(np.ones((1, 10), "float32"))
