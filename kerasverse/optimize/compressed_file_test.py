import gzip
import json
import os
import shutil
import struct
import zipfile

import keras
import numpy as np

from kerasverse import optimize
from kerasverse.optimize import _testing
from kerasverse.optimize import clustering
from kerasverse.optimize import compressed_file
from kerasverse.optimize import sparsity
from kerasverse.testing import TestCase


def _weights(model):
    return [np.asarray(keras.ops.convert_to_numpy(w)) for w in model.weights]


TESTDATA = os.path.join(os.path.dirname(__file__), "testdata")


def _canonical(model):
    """The model's serialized config with tuples as lists (as JSON stores them)."""
    return json.loads(json.dumps(keras.saving.serialize_keras_object(model)))


def _dense_model(seed=0):
    keras.utils.set_random_seed(seed)
    inputs = keras.Input((8, 8, 1))
    x = keras.layers.Conv2D(8, 3, activation="relu")(inputs)
    x = keras.layers.Flatten()(x)
    x = keras.layers.Dense(64, activation="relu")(x)
    return keras.Model(inputs, keras.layers.Dense(10)(x))


class CompressedFileTest(TestCase):
    def setUp(self):
        super().setUp()
        self.x, self.y = _testing.separable_data()

    def _path(self, name):
        return os.path.join(self.get_temp_dir(), name)

    def test_clustered_model_round_trips_exactly_as_codebooks(self):
        model = _dense_model()
        clustered = clustering.strip_clustering(clustering.cluster_weights(model, 16, seed=0))
        path = self._path("clustered.kvz")
        encodings = optimize.save_compressed(clustered, path)
        kernels = {w.path for w in clustered.weights if len(w.shape) >= 2}
        self.assertEqual({encodings[p] for p in kernels}, {"codebook4"})
        restored = optimize.load_compressed(path)
        for saved, loaded in zip(_weights(clustered), _weights(restored)):
            np.testing.assert_array_equal(saved, loaded)
        self.assertAllClose(restored.predict(self.x, verbose=0), clustered.predict(self.x, verbose=0), atol=1e-6)
        # 4-bit indices: under 1/6 of the float32 weights, and below them gzipped.
        raw = b"".join(w.tobytes() for w in _weights(clustered))
        self.assertLess(os.path.getsize(path), len(raw) / 6)
        self.assertLess(os.path.getsize(path), len(gzip.compress(raw, 9)) * 0.85)

        clustered_64 = clustering.strip_clustering(clustering.cluster_weights(model, 64, seed=0))
        encodings = optimize.save_compressed(clustered_64, path)
        self.assertEqual(encodings[clustered_64.layers[-2].kernel.path], "codebook8")
        for saved, loaded in zip(_weights(clustered_64), _weights(optimize.load_compressed(path))):
            np.testing.assert_array_equal(saved, loaded)

    def test_4bit_qat_weights_pack_two_per_byte(self):
        from kerasverse.optimize import quantization

        scheme = quantization.DefaultNBitQuantizeScheme(num_bits_weight=4)
        qat = quantization.quantize_model(_dense_model(), scheme=scheme)
        qat(np.ones((2, 8, 8, 1), "float32"), training=True)
        stripped = quantization.strip_qat(qat)
        path = self._path("int4.kvz")
        encodings = optimize.save_compressed(stripped, path)
        kernels = [w for w in stripped.weights if len(w.shape) >= 2]
        self.assertEqual({encodings[w.path] for w in kernels}, {"int4"})
        restored = optimize.load_compressed(path)
        for saved, loaded in zip(_weights(stripped), _weights(restored)):
            np.testing.assert_allclose(loaded, saved, rtol=1e-6, atol=1e-7)
        # Half a byte per kernel value, plus the biases and the header.
        kernel_values = sum(int(np.prod(w.shape)) for w in kernels)
        self.assertLess(os.path.getsize(path), kernel_values / 2 + 2500)
        self.assertAllClose(restored.predict(self.x, verbose=0),
                            stripped.predict(self.x, verbose=0), atol=1e-5)

    def test_pruned_model_lossless_and_int8(self):
        model = _dense_model()
        pruned = sparsity.prune_low_magnitude(model, pruning_schedule=sparsity.ConstantSparsity(0.8, 0))
        pruned = sparsity.strip_pruning(_testing.fit(pruned, self.x, self.y, epochs=1))
        kernel_path = pruned.layers[-2].kernel.path

        lossless = self._path("pruned.kvz")
        self.assertEqual(optimize.save_compressed(pruned, lossless)[kernel_path], "sparse")
        for saved, loaded in zip(_weights(pruned), _weights(optimize.load_compressed(lossless))):
            np.testing.assert_array_equal(saved, loaded)

        quantized = self._path("pruned_int8.kvz")
        self.assertEqual(optimize.save_compressed(pruned, quantized, quantize="int8")[kernel_path], "int8_sparse")
        restored = optimize.load_compressed(quantized)
        for saved, loaded in zip(_weights(pruned), _weights(restored)):
            self.assertEqual(saved.shape, loaded.shape)
            np.testing.assert_array_equal(saved == 0, loaded == 0)  # The zeros stay exactly zero.
            if saved.ndim >= 2 and len(np.unique(saved)) > 256:
                # The stored step is max |w| / 127 rounded up to a float16: at most 0.1 % larger.
                step = np.abs(saved.reshape(-1, saved.shape[-1])).max(axis=0) / 127.0
                error = np.abs(saved - loaded).reshape(-1, saved.shape[-1])
                self.assertTrue(np.all(error <= step / 2 * 1.001 + 1e-8))
                self.assertGreater(error.max(), step.max() / 4)  # It really was quantized to 8 bits.
        self.assertLess(os.path.getsize(quantized), os.path.getsize(lossless) / 1.8)
        # The whole file, config included, against the gzipped dense float32 weights (3.5x
        # here); the version-1 zip (deflate, row-major, float32 steps, full config) reached 2.7x.
        dense = b"".join(w.tobytes() for w in _weights(pruned))
        self.assertGreater(len(gzip.compress(dense, 9)) / os.path.getsize(quantized), 3.2)
        logits = restored.predict(self.x, verbose=0)
        self.assertGreater(np.mean(np.argmax(logits, -1) == np.argmax(pruned.predict(self.x, verbose=0), -1)), 0.95)

    def test_the_restored_model_exports(self):
        model = _dense_model()
        path = self._path("dense.kvz")
        encodings = optimize.save_compressed(model, path)
        self.assertEqual(encodings[model.layers[-2].kernel.path], "raw")
        # 72 distinct values: a codebook with 8-bit indices would cost more than the floats.
        self.assertEqual(encodings[model.layers[1].kernel.path], "raw")
        restored = optimize.load_compressed(path)
        for saved, loaded in zip(_weights(model), _weights(restored)):
            np.testing.assert_array_equal(saved, loaded)
        self.assertEqual([type(layer) for layer in restored.layers], [type(layer) for layer in model.layers])
        keras_path = self._path("restored.keras")
        restored.save(keras_path)
        again = keras.saving.load_model(keras_path)
        self.assertAllClose(again.predict(self.x, verbose=0), model.predict(self.x, verbose=0), atol=1e-6)

    def test_restored_model_is_uncompiled_and_config_compact(self):
        model = _testing.fit(_dense_model(), self.x, self.y, epochs=1)
        path = self._path("compiled.kvz")
        optimize.save_compressed(model, path)
        with open(path, "rb") as f:
            data = f.read()
        self.assertEqual(data[:4], b"KVZ\x02")
        (size,) = struct.unpack_from("<I", data, 4)
        header = compressed_file._inflate(data[8 : 8 + size])
        self.assertNotIn(b"compile_config", header)  # Restored uncompiled, as documented.
        self.assertNotIn(b"kernel_initializer", header)  # Layer arguments at their default are left out.
        self.assertIn(b'"units":64', header)
        restored = optimize.load_compressed(path)
        self.assertFalse(getattr(restored, "compiled", False))
        self.assertEqual(_canonical(restored)["config"], _canonical(model)["config"])

    def test_reads_version_1_files(self):
        # Written by the version-1 writer (kerasverse before format 2): a zip, row-major kernels.
        expected = list(np.load(os.path.join(TESTDATA, "v1_weights.npz")).values())
        lossless = optimize.load_compressed(os.path.join(TESTDATA, "v1_sparse.kvz"))
        for saved, loaded in zip(expected, _weights(lossless)):
            np.testing.assert_array_equal(saved, loaded)
        quantized = optimize.load_compressed(os.path.join(TESTDATA, "v1_int8_sparse.kvz"))
        for saved, loaded in zip(expected, _weights(quantized)):
            np.testing.assert_array_equal(saved == 0, loaded == 0)
            step = np.abs(saved.reshape(-1, saved.shape[-1])).max(axis=0) / 127.0
            self.assertTrue(np.all(np.abs(saved - loaded).reshape(-1, saved.shape[-1]) <= step / 2 + 1e-7))
        self.assertEqual([layer.name for layer in quantized.layers], ["input_layer", "hidden", "logits"])

    def test_bad_input(self):
        with self.assertRaisesRegex(TypeError, "expects a keras.Model. Received: Dense"):
            optimize.save_compressed(keras.layers.Dense(2), self._path("x.kvz"))
        with self.assertRaisesRegex(ValueError, "not built"):
            optimize.save_compressed(keras.Sequential([keras.layers.Dense(2)]), self._path("x.kvz"))
        with self.assertRaisesRegex(ValueError, "quantize=.int4"):
            optimize.save_compressed(_dense_model(), self._path("x.kvz"), quantize="int4")
        with self.assertRaisesRegex(ValueError, "No compressed model file"):
            optimize.load_compressed(self._path("missing.kvz"))
        unknown = self._path("unknown.kvz")
        with open(unknown, "wb") as f:
            f.write(b"hello")
        with self.assertRaisesRegex(ValueError, "not a compressed model file.*Received first bytes: b'hell'"):
            optimize.load_compressed(unknown)

        saved = self._path("saved.kvz")
        optimize.save_compressed(_dense_model(), saved)
        with open(saved, "rb") as f:
            data = f.read()
        newer = self._path("newer.kvz")
        with open(newer, "wb") as f:
            f.write(b"KVZ\x07" + data[4:])
        with self.assertRaisesRegex(ValueError, "reads versions 1 and 2. Received: version=7"):
            optimize.load_compressed(newer)
        (size,) = struct.unpack_from("<I", data, 4)
        header = compressed_file._inflate(data[8 : 8 + size]).replace(b'["raw",', b'["int3",', 1)
        header = compressed_file._deflate(header)
        newer_encoding = self._path("newer_encoding.kvz")
        with open(newer_encoding, "wb") as f:
            f.write(data[:4] + struct.pack("<I", len(header)) + header + data[8 + size :])
        with self.assertRaisesRegex(ValueError, r"uses weight encodings \['int3'\] that this kerasverse does not know"):
            optimize.load_compressed(newer_encoding)
        for cut in (6, 40, len(data) - 100):
            truncated = self._path(f"truncated_{cut}.kvz")
            with open(truncated, "wb") as f:
                f.write(data[:cut])
            with self.assertRaisesRegex(ValueError, "truncated or corrupted"):
                optimize.load_compressed(truncated)

        not_zip = self._path("not_zip.kvz")
        with open(not_zip, "wb") as f:
            f.write(b"PK hello")
        with self.assertRaisesRegex(ValueError, "not a zip archive"):
            optimize.load_compressed(not_zip)
        incomplete = self._path("incomplete.kvz")
        with zipfile.ZipFile(incomplete, "w") as archive:
            archive.writestr("config.json", "{}")
        with self.assertRaisesRegex(ValueError, r"lacks \['metadata.json', 'weights.bin'\]"):
            optimize.load_compressed(incomplete)
        truncated = self._path("truncated_v1.kvz")
        shutil.copy(os.path.join(TESTDATA, "v1_sparse.kvz"), truncated)
        with zipfile.ZipFile(truncated) as archive:
            members = {name: archive.read(name) for name in archive.namelist()}
        with zipfile.ZipFile(truncated, "w") as archive:
            for name, data in members.items():
                archive.writestr(name, data[:20] if name == "weights.bin" else data)
        with self.assertRaisesRegex(ValueError, "truncated: weight 'hidden/kernel'"):
            optimize.load_compressed(truncated)

    def test_cli_compress(self):
        import contextlib
        import io

        from kerasverse.cli import main as cli_main

        model = _dense_model()
        clustered = clustering.strip_clustering(clustering.cluster_weights(model, 16, seed=0))
        source, output = self._path("clustered.keras"), self._path("clustered.kvz")
        clustered.save(source)
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            self.assertEqual(cli_main.main(["optimize", "compress", source, output, "--int8"]), 0)
            self.assertEqual(cli_main.main(["optimize", "compress", "nope.keras", output]), 2)
        self.assertIn("codebook4 3", printed.getvalue())
        self.assertIn("no such model file: 'nope.keras'", printed.getvalue())
        self.assertLess(os.path.getsize(output), os.path.getsize(source) / 5)
        restored = optimize.load_compressed(output)
        self.assertAllClose(restored.predict(self.x, verbose=0), clustered.predict(self.x, verbose=0), atol=1e-6)
