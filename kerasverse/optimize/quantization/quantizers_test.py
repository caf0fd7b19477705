"""tfmot-style `QuantizeConfig`s with `quantizers` (the comprehensive QAT guide)."""

import keras
import numpy as np
import pytest

from kerasverse.optimize import quantization
from kerasverse.testing import TestCase

LastValueQuantizer = quantization.keras.quantizers.LastValueQuantizer
MovingAverageQuantizer = quantization.keras.quantizers.MovingAverageQuantizer


class DefaultDenseQuantizeConfig(quantization.keras.QuantizeConfig):
    # As written in tfmot's guide (`layer.kernel = ...` is not needed in Keras 3).
    def get_weights_and_quantizers(self, layer):
        return [(layer.kernel, LastValueQuantizer(num_bits=8, symmetric=True, narrow_range=False, per_axis=False))]

    def get_activations_and_quantizers(self, layer):
        return [(layer.activation, MovingAverageQuantizer(num_bits=8, symmetric=False, narrow_range=False, per_axis=False))]

    def set_quantize_weights(self, layer, quantize_weights):
        pass

    def set_quantize_activations(self, layer, quantize_activations):
        layer.activation = quantize_activations[0]

    def get_output_quantizers(self, layer):
        return []

    def get_config(self):
        return {}


class ModifiedDenseQuantizeConfig(DefaultDenseQuantizeConfig):
    def get_weights_and_quantizers(self, layer):
        return [(layer.kernel, LastValueQuantizer(num_bits=4, symmetric=True, narrow_range=False, per_axis=False))]


class FixedRangeQuantizer(quantization.keras.quantizers.Quantizer):
    def build(self, tensor_shape, name, layer):
        return {}

    def __call__(self, inputs, training, weights, **kwargs):
        return keras.ops.clip(inputs, -1.0, 1.0)

    def get_config(self):
        return {}


class FixedActivationConfig(DefaultDenseQuantizeConfig):
    def get_activations_and_quantizers(self, layer):
        return [(layer.activation, FixedRangeQuantizer())]


def _grid_steps(values, step):
    ratio = np.asarray(values) / step
    return np.abs(ratio - np.round(ratio)).max()


class CustomQuantizeConfigTest(TestCase):
    def _model(self, config):
        # As in the guide: quantize_annotate_model outside any scope.
        annotated = quantization.keras.quantize_annotate_model(
            keras.Sequential(
                [
                    quantization.keras.quantize_annotate_layer(
                        keras.layers.Dense(6, activation="relu", input_shape=(5,)), config
                    ),
                    keras.layers.Dense(3),
                ]
            )
        )
        with quantization.keras.quantize_scope(
            {"ModifiedDenseQuantizeConfig": ModifiedDenseQuantizeConfig}
        ):
            return quantization.keras.quantize_apply(annotated)

    def test_4bit_per_tensor_weights_and_8bit_activation(self):
        qat = self._model(ModifiedDenseQuantizeConfig())
        wrapper = qat.layers[0]
        x = np.random.default_rng(0).standard_normal((16, 5)).astype("float32")
        qat.compile("adam", "mse")
        qat.fit(x, np.zeros((16, 3), "float32"), epochs=1, verbose=0)
        kernel = np.asarray(keras.ops.convert_to_numpy(wrapper.layer.kernel))
        quantized = wrapper.effective_weights()[0]
        # Oracle: tfmot's symmetric two's complement 4-bit grid [-8, 7] * step
        # with the smallest step that covers the kernel.
        step = max(-kernel.min() / 8.0, kernel.max() / 7.0)
        self.assertLess(_grid_steps(quantized, step), 1e-3)
        self.assertLessEqual(len(np.unique(quantized)), 16)
        # The activation (post-relu) is quantized on the 256 levels of its learned range.
        low, high = wrapper.get_ranges()["outputs"]
        self.assertEqual(low, 0.0)
        hidden = keras.Model(qat.inputs, wrapper.output)(x)
        self.assertLess(_grid_steps(keras.ops.convert_to_numpy(hidden), (high - low) / 255.0), 1e-2)
        # The layer's own activation is back to relu after the call.
        self.assertIs(wrapper.layer.activation, keras.activations.relu)
        stripped = quantization.strip_qat(qat)
        self.assertAllClose(stripped.layers[0].kernel, quantized)

    def test_custom_quantizer(self):
        qat = self._model(FixedActivationConfig())
        x = 10 * np.ones((2, 5), "float32")
        hidden = keras.Model(qat.inputs, qat.layers[0].output)(x)
        self.assertLessEqual(float(np.max(keras.ops.convert_to_numpy(hidden))), 1.0)

    def test_save_and_load_in_scope(self):
        qat = self._model(ModifiedDenseQuantizeConfig())
        path = self.get_temp_dir() + "/qat.keras"
        qat.save(path)
        with quantization.keras.quantize_scope(
            {"ModifiedDenseQuantizeConfig": ModifiedDenseQuantizeConfig}
        ):
            loaded = keras.models.load_model(path)
        x = np.ones((2, 5), "float32")
        self.assertAllClose(loaded(x), qat(x))

    def test_quantizer_bad_bits(self):
        with pytest.raises(ValueError, match=r"num_bits.*from 2 to 8. Received: num_bits=16"):
            LastValueQuantizer(num_bits=16, per_axis=False, symmetric=True, narrow_range=False)
        self.assertEqual(
            LastValueQuantizer(4, False, True, False), LastValueQuantizer(4, False, True, False)
        )
