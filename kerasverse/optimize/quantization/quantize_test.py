import os

import keras
import numpy as np
import pytest

from kerasverse.optimize import _testing
from kerasverse.optimize import quantization
from kerasverse.testing import TestCase


def _numpy(x):
    return np.asarray(keras.ops.convert_to_numpy(x))


class QuantizeModelTest(TestCase):
    def test_qat_train_strip_ranges_and_int8(self):
        x, y = _testing.separable_data()
        model = _testing.fit(_testing.small_cnn(), x, y, epochs=3)
        float_accuracy = _testing.accuracy(model, x, y)
        qat = quantization.quantize_model(model)
        wrapped = {layer.layer.name for layer in qat.layers if hasattr(layer, "quantize_config")}
        self.assertEqual(wrapped, {"conv2d", "batch_normalization", "dense", "dense_1"})
        _testing.fit(qat, x, y, epochs=1, learning_rate=0.001)
        self.assertGreater(_testing.accuracy(qat, x, y), float_accuracy - 0.1)

        ranges = quantization.get_quantization_ranges(qat)
        self.assertEqual(
            list(ranges),
            ["conv2d", "batch_normalization", "max_pooling2d", "flatten", "dense", "dense_1"],
        )
        conv = ranges["conv2d"]
        # EMA of the batch ranges: inside the data range, near its ends.
        self.assertTrue(float(x.min()) <= conv["inputs"][0] < -2.0 < 2.0 < conv["inputs"][1])
        self.assertLessEqual(conv["inputs"][1], float(x.max()))
        self.assertEqual(conv["outputs"][0], 0.0)  # ReLU output range starts at 0
        self.assertEqual(ranges["flatten"]["inputs"], ranges["batch_normalization"]["outputs"])
        self.assertEqual(ranges["dense"]["inputs"], ranges["batch_normalization"]["outputs"])
        self.assertEqual(ranges["dense_1"]["inputs"], ranges["dense"]["outputs"])
        low, high = ranges["dense"]["kernel_per_channel"]
        self.assertEqual(low.shape, (16,))
        self.assertAllClose(low, -high)

        plain = quantization.strip_qat(qat)
        self.assertFalse(any(isinstance(la, quantization.QuantizeWrapper) for la in plain.layers))
        kernel = _numpy(plain.get_layer("dense").kernel)
        scale = high / 127.0
        self.assertAllClose(kernel / scale, np.round(kernel / scale), atol=1e-3)  # on the int8 grid
        self.assertAllClose(np.abs(kernel).max(axis=0), high, atol=1e-6)
        self.assertIs(quantization.get_quantization_ranges(plain), plain.quantization_ranges)
        # Activation quantization is the only difference from the QAT model.
        self.assertAllClose(plain.predict(x, verbose=0), qat.predict(x, verbose=0), atol=0.15)

        # Keras' int8 quantization reproduces the int8 grid exactly.
        int8 = quantization.post_training_quantize(plain, "int8")
        self.assertEqual(plain.get_layer("dense").kernel.dtype, "float32")  # copy, not in place
        int8_kernel = _numpy(int8.get_layer("dense")._kernel)
        self.assertEqual(str(int8_kernel.dtype), "int8")
        self.assertAllClose(int8_kernel, np.round(kernel / scale), atol=1)
        self.assertAllClose(int8.predict(x, verbose=0), plain.predict(x, verbose=0), atol=0.1)

        # Save: the QAT model itself, and the plain one with its ranges inside the file.
        path = os.path.join(self.get_temp_dir(), "qat.keras")
        qat.save(path)
        with quantization.quantize_scope():
            restored = keras.saving.load_model(path)
        self.assertAllClose(restored.predict(x, verbose=0), qat.predict(x, verbose=0), atol=1e-5)
        path = os.path.join(self.get_temp_dir(), "plain.keras")
        plain.save(path)
        quantization.save_quantization_ranges(plain, path)
        loaded_ranges = quantization.get_quantization_ranges(path)
        self.assertEqual(loaded_ranges["dense"]["outputs"], ranges["dense"]["outputs"])
        self.assertAllClose(loaded_ranges["dense"]["kernel_per_channel"][1], high)
        reloaded = keras.saving.load_model(path)
        self.assertAllClose(reloaded.predict(x, verbose=0), plain.predict(x, verbose=0), atol=1e-6)

    def test_annotate_some_layers(self):
        model = keras.Sequential(
            [
                keras.Input((4,)),
                quantization.quantize_annotate_layer(keras.layers.Dense(3, name="quantized")),
                keras.layers.Dense(2, name="float"),
            ]
        )
        qat = quantization.quantize_apply(model)
        self.assertIsInstance(qat.layers[0], quantization.QuantizeWrapper)
        self.assertTrue(qat.layers[0].quantize_inputs)
        self.assertIsInstance(qat.layers[1], keras.layers.Dense)

    def test_custom_layer_with_config(self):
        @keras.saving.register_keras_serializable(package="kerasverse_test")
        class Scale(keras.layers.Layer):
            def build(self, input_shape):
                self.kernel = self.add_weight(shape=(input_shape[-1], 2))

            def call(self, inputs):
                return keras.ops.matmul(inputs, self.kernel)

        with pytest.raises(ValueError, match="'scale' of type Scale is not supported"):
            quantization.quantize_annotate_layer(Scale(name="scale"))
        config = quantization.QuantizeConfig(weight_names=["kernel"])
        model = keras.Sequential(
            [keras.Input((3,)), quantization.quantize_annotate_layer(Scale(), config)]
        )
        qat = quantization.quantize_apply(model)
        qat(np.ones((2, 3), "float32"), training=True)
        self.assertIsNotNone(quantization.get_quantization_ranges(qat)["scale"]["outputs"])

    def test_bad_input(self):
        plain = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)], name="plain")
        with pytest.raises(ValueError, match="'plain' without any `QuantizeAnnotate`"):
            quantization.quantize_apply(plain)
        with pytest.raises(ValueError, match="'plain' without any `QuantizeWrapper`"):
            quantization.strip_qat(plain)
        with pytest.raises(ValueError, match="'plain' has no quantization ranges"):
            quantization.get_quantization_ranges(plain)
        gru = keras.Sequential([keras.Input((3, 2)), keras.layers.GRU(2, name="gru")])
        with pytest.raises(ValueError, match="'gru' of type GRU is not supported"):
            quantization.quantize_model(gru)
        with pytest.raises(ValueError, match=r"mode.*Received: mode='int2'"):
            quantization.post_training_quantize(plain, "int2")

    def test_tfmot_spelling(self):
        self.assertIs(quantization.keras.quantize_model, quantization.quantize_model)
