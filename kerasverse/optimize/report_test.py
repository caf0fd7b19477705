import gzip
import io
import os
from contextlib import redirect_stdout

import keras
import numpy as np
import pytest

from kerasverse import optimize
from kerasverse.cli import main as cli_main
from kerasverse.optimize import sparsity
from kerasverse.testing import TestCase


def _model():
    model = keras.Sequential(
        [keras.Input((6,)), keras.layers.Dense(4, name="hidden"), keras.layers.Dense(2, name="out")],
        name="tiny",
    )
    kernel = np.arange(24, dtype="float32").reshape(6, 4)
    kernel[kernel % 3 == 0] = 0.0
    model.get_layer("hidden").kernel.assign(kernel)
    return model


class SummaryTest(TestCase):
    def test_figures_match_an_oracle(self):
        model = _model()
        report = optimize.summary(model)
        hidden = report.layers[0]
        kernel = np.arange(24, dtype="float32").reshape(6, 4)
        kernel[kernel % 3 == 0] = 0.0
        weights = [kernel, np.zeros(4, "float32")]
        self.assertEqual(
            (hidden.name, hidden.class_name, hidden.params, hidden.raw_bytes),
            ("hidden", "Dense", 28, 112),
        )
        self.assertAllClose(hidden.sparsity, 8 / 24)
        self.assertEqual(hidden.unique_values, len(np.unique(kernel)))
        payload = b"".join(w.tobytes() for w in weights)
        self.assertEqual(hidden.gzip_bytes, len(gzip.compress(payload, 9, mtime=0)))
        self.assertEqual(report.total_params, 28 + 10)
        self.assertIn("| TOTAL", str(report))

    def test_wrapped_model_counts_exported_weights(self):
        pruned = sparsity.prune_low_magnitude(
            _model(), pruning_schedule=sparsity.ConstantSparsity(0.5, 0, frequency=1)
        )
        pruned(np.ones((1, 6), "float32"), training=True)
        report = optimize.summary(pruned)
        self.assertEqual([row.class_name for row in report.layers], ["Dense", "Dense"])
        self.assertEqual(report.total_params, 38)  # masks are not counted
        self.assertAllClose(report.total_sparsity, 0.5, atol=0.02)

    def test_bad_input(self):
        with pytest.raises(ValueError, match="Received: list"):
            optimize.summary([1, 2])

    def test_cli_report(self):
        path = os.path.join(self.get_temp_dir(), "tiny.keras")
        _model().save(path)
        buffer = io.StringIO()
        with redirect_stdout(buffer):
            code = cli_main.main(["optimize", "report", path])
        self.assertEqual(code, 0)
        self.assertIn("| hidden | Dense | 28 ", buffer.getvalue())
        with redirect_stdout(io.StringIO()) as missing:
            self.assertEqual(cli_main.main(["optimize", "report", "nope.keras"]), 2)
        self.assertIn("no such model file", missing.getvalue())
