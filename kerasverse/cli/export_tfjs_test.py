import contextlib
import io
import os

import keras
from keras import layers

from kerasverse.cli import main
from kerasverse.export import tfjs
from kerasverse.testing import TestCase


class ExportTfjsCliTest(TestCase):
    def _keras_file(self, model=None):
        model = model or keras.Sequential([keras.Input((4,)), layers.Dense(3)])
        path = os.path.join(self.get_temp_dir(), "model.keras")
        model.save(path)
        return model, path

    def test_export_and_load_back(self):
        model, path = self._keras_file()
        out_dir = os.path.join(self.get_temp_dir(), "web")
        self.assertEqual(main.main(["export", "tfjs", path, out_dir, "--quantize", "uint16"]), 0)
        self.assertIn("model.json", os.listdir(out_dir))
        x = keras.ops.ones((2, 4))
        self.assertAllClose(tfjs.load_model(out_dir)(x), model(x), atol=1e-3)

    def test_check_reports_unsupported_layers(self):
        _, path = self._keras_file(keras.Sequential([keras.Input((4, 2)), layers.SpectralNormalization(layers.Dense(2), name="sn")]))
        self.assertEqual(main.main(["export", "tfjs", path, "unused", "--check"]), 1)
        # Keras 3's default GRU exports through kerasverse-layers.js: --check says so.
        _, path = self._keras_file(keras.Sequential([keras.Input((4, 2)), layers.GRU(2, name="gru")]))
        stdout = io.StringIO()
        with contextlib.redirect_stdout(stdout):
            self.assertEqual(main.main(["export", "tfjs", path, "unused", "--check"]), 0)
        self.assertIn("layer `gru` (GRU, reset_after=True): supported via kerasverse-layers.js", stdout.getvalue())

    def test_corrupted_keras_file(self):
        _, path = self._keras_file()
        with open(path, "r+b") as file:
            file.truncate(100)
        out_dir = os.path.join(self.get_temp_dir(), "web")
        stderr = io.StringIO()
        with contextlib.redirect_stderr(stderr):
            self.assertEqual(main.main(["export", "tfjs", path, out_dir]), 1)
        self.assertRegex(stderr.getvalue(), r"error: .*model.keras.*corrupted")
        self.assertFalse(os.path.exists(out_dir))

    def test_not_a_zip(self):
        path = os.path.join(self.get_temp_dir(), "model.keras")
        with open(path, "w") as file:
            file.write("hello")
        stderr = io.StringIO()
        with contextlib.redirect_stderr(stderr):
            self.assertEqual(main.main(["export", "tfjs", path, os.path.join(self.get_temp_dir(), "web")]), 1)
        self.assertIn("not a valid .keras file (not a zip archive)", stderr.getvalue())
