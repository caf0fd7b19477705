"""A fast check in real TF.js (the full layer and model matrices are `slow`)."""

import os

import keras
import numpy as np
import pytest
from keras import layers

from kerasverse.export import tfjs
from kerasverse.export.tfjs.runtime import NodeRuntime
from kerasverse.testing import TestCase

MISSING_RUNTIME = NodeRuntime().missing()


@pytest.mark.requires_node
@pytest.mark.skipif(MISSING_RUNTIME is not None, reason=f"TF.js runtime absent: {MISSING_RUNTIME}")
class VerifyTest(TestCase):
    def test_verify_exports_and_matches_keras(self):
        a, b = keras.Input((5,)), keras.Input((3,))
        x = layers.Concatenate()([layers.Dense(4, activation="relu")(a), b])
        model = keras.Model([a, b], [layers.Dense(2)(x), layers.Dense(1, activation="sigmoid")(x)])
        rng = np.random.default_rng(0)
        inputs = [rng.standard_normal((3, 5)).astype("float32"), rng.standard_normal((3, 3)).astype("float32")]
        out_dir = os.path.join(self.get_temp_dir(), "web")
        result = tfjs.verify(model, out_dir, inputs)  # Exports first: no model.json yet.
        self.assertTrue(os.path.exists(os.path.join(out_dir, "model.json")))
        self.assertEqual(len(result.per_output), 2)
        self.assertLessEqual(result.max_abs_diff, 1e-5)
        self.assertTrue(result.ok())
        self.assertAllClose(result.outputs, model(inputs), atol=1e-5)

    def test_inspect_shows_tfjs_weight_names(self):
        model = keras.Sequential([keras.Input((4, 3)), layers.LSTM(2, name="lstm"), layers.Dense(1, name="head")])
        out_dir = os.path.join(self.get_temp_dir(), "web")
        tfjs.save_model(model, out_dir)
        result = NodeRuntime().run_batch([{"op": "inspect", "model_dir": out_dir}])[0]
        names = [w["name"] for w in result["weights"]]
        self.assertEqual(names, ["lstm/kernel", "lstm/recurrent_kernel", "lstm/bias", "head/kernel", "head/bias"])

    def test_runtime_errors_are_reported(self):
        out_dir = os.path.join(self.get_temp_dir(), "missing")
        results = tfjs.verify_many([(keras.Sequential([keras.Input((2,)), layers.Dense(1)]), out_dir, np.ones((1, 2), "float32"))])
        self.assertTrue(results[0].ok())  # verify_many exports when needed.
        with open(os.path.join(out_dir, "model.json"), "w") as file:
            file.write("{}")
        with pytest.raises(RuntimeError, match="TF.js could not load or run the export"):
            tfjs.verify(keras.Sequential([keras.Input((2,)), layers.Dense(1)]), out_dir, np.ones((1, 2), "float32"))

    def test_missing_runtime_is_explained(self):
        runtime = NodeRuntime(node_modules=os.path.join(self.get_temp_dir(), "nowhere"))
        self.assertIn("npm ci --prefix js", runtime.missing())
        with pytest.raises(RuntimeError, match="Cannot run TF.js: @tensorflow/tfjs is not installed"):
            runtime.run([{"op": "classes"}])
