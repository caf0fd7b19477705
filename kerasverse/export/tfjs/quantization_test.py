import numpy as np
import pytest

from kerasverse.export.tfjs import quantization
from kerasverse.testing import TestCase


class QuantizationTest(TestCase):
    def test_affine_error_is_at_most_half_a_step(self):
        values = np.random.default_rng(0).uniform(-3, 5, size=1000).astype("float32")
        for dtype, levels in (("uint8", 255), ("uint16", 65535)):
            stored, info = quantization.quantize(values, dtype)
            self.assertEqual(stored.dtype, np.dtype(dtype))
            restored = quantization.dequantize(stored, info)
            step = (values.max() - min(values.min(), 0)) / levels
            self.assertLessEqual(float(np.max(np.abs(restored - values))), step * 0.51 + 1e-6)
            self.assertEqual(info["original_dtype"], "float32")

    def test_zero_is_exact_and_constant_arrays_survive(self):
        for values in (np.array([0.0, 0.3, 1.7], "float32"), np.full(4, 2.5, "float32"), np.zeros(3, "float32")):
            stored, info = quantization.quantize(values, "uint8")
            restored = quantization.dequantize(stored, info)
            self.assertEqual(float(restored[values == 0].sum()) if (values == 0).any() else 0.0, 0.0)
            self.assertLessEqual(float(np.max(np.abs(restored - values))), 0.01)

    def test_float16(self):
        values = np.array([1.0, -2.5, 1e-3], "float32")
        stored, info = quantization.quantize(values, "float16")
        self.assertEqual(info, {"dtype": "float16", "original_dtype": "float32"})
        self.assertAllClose(quantization.dequantize(stored, info), values, atol=1e-3)

    def test_unknown_dtype(self):
        with pytest.raises(ValueError, match=r"Received: quantize='int8'"):
            quantization.quantize(np.ones(2, "float32"), "int8")
