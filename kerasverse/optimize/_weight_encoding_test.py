import numpy as np

from kerasverse.optimize import _weight_encoding
from kerasverse.testing import TestCase


def _round_trip(value, quantize):
    entry, parts = _weight_encoding.encode(value, quantize)
    read = {}
    for name in _weight_encoding.PART_ORDER:  # As the reader sees them: sizes derived, not stored.
        if name in _weight_encoding.ENCODING_PARTS[entry[0]]:
            dtype, count = _weight_encoding.part_layout(entry, name, read)
            self_check = np.asarray(parts[name])
            assert (self_check.dtype, self_check.size) == (dtype, count), (entry, name)
            read[name] = np.frombuffer(self_check.tobytes(), dtype=dtype)
    return entry, _weight_encoding.decode(entry[0], entry[2], entry[1], read)


class WeightEncodingTest(TestCase):
    def test_exact_encodings_round_trip(self):
        rng = np.random.default_rng(0)
        sparse = rng.standard_normal((5, 7, 6)).astype("float32")
        sparse[rng.random(sparse.shape) < 0.8] = 0
        clustered = rng.choice(rng.standard_normal(16), size=(33, 9)).astype("float32")
        dense = rng.standard_normal((40, 3)).astype("float64")
        for value, encoding in ((sparse, "sparse"), (clustered, "codebook4"), (dense, "raw")):
            entry, restored = _round_trip(value, None)
            self.assertEqual(entry[0], encoding)
            self.assertEqual(restored.dtype, value.dtype)
            np.testing.assert_array_equal(restored, value)
        # Clustered kernels stay exact when asked for int8, as `save_compressed` documents.
        entry, restored = _round_trip(clustered, "int8")
        self.assertEqual(entry[0], "codebook4")
        np.testing.assert_array_equal(restored, clustered)

    def test_int8_is_channel_wise_and_within_half_a_step(self):
        rng = np.random.default_rng(1)
        value = rng.standard_normal((64, 4)).astype("float32") * np.array([0.02, 0.1, 3.0, 50.0], "float32")
        for sparsity, encoding in ((0.0, "int8"), (0.7, "int8_sparse")):
            kernel = np.where(rng.random(value.shape) < sparsity, 0, value).astype("float32")
            entry, restored = _round_trip(kernel, "int8")
            self.assertEqual(entry[0], encoding)
            self.assertEqual(entry[3], "float16")
            step = np.abs(kernel).max(axis=0) / 127
            error = np.abs(restored - kernel)
            self.assertTrue(np.all(error <= step / 2 * 1.001))
            self.assertTrue(np.all(error.max(axis=0) > step / 10))  # Each channel has its own step.
            self.assertTrue(np.all(restored[kernel == 0] == 0))  # Zeros stay exactly zero.

    def test_int8_scale(self):
        channel_max = np.array([0.0, 0.01, 1.0, 3.3, 1e4])
        scale = _weight_encoding.int8_scale(channel_max)
        self.assertEqual(scale.dtype, np.float16)
        exact = channel_max / 127
        self.assertTrue(np.all(scale.astype("float64") >= exact))  # Rounded up: |w| / step <= 127.
        self.assertTrue(np.all(scale.astype("float64") <= exact * 1.001))
        # Below float16's normal range the step would lose precision: float32.
        tiny = _weight_encoding.int8_scale(np.array([1e-4, 1.0]))
        self.assertEqual(tiny.dtype, np.float32)
        self.assertAllClose(tiny, np.array([1e-4, 1.0]) / 127, rtol=1e-6)

    def test_unknown_encoding(self):
        with self.assertRaisesRegex(ValueError, "Unknown weight encoding 'int3'"):
            _weight_encoding.decode("int3", (2, 2), "float32", {})
