"""Whole models in real TF.js: float32, sharded, quantized, fine-tuned in JS.

Everything TF.js does here runs in one Node process (`setUpClass`); the
tests then compare its outputs with Keras and with `load_model`.
"""

import glob
import os
import shutil
import tempfile

import keras
import numpy as np
import pytest
from keras import layers

from kerasverse.export import tfjs
from kerasverse.export.tfjs.layer_coverage_test import randomize
from kerasverse.export.tfjs.runtime import NodeRuntime
from kerasverse.testing import TestCase

MISSING_RUNTIME = NodeRuntime().missing()
# Documented max |TF.js - Keras| of quantized exports on these small models.
QUANTIZED_TOLERANCE = {"float16": 1e-2, "uint16": 1e-2, "uint8": 1e-1}


def mlp():
    return keras.Sequential(
        [keras.Input((8,)), layers.Dense(16, activation="relu"), layers.Dropout(0.2), layers.Dense(3, activation="softmax")],
        name="mlp",
    )


def cnn_bn():
    return keras.Sequential(
        [
            keras.Input((10, 10, 3)),
            layers.Conv2D(8, 3, padding="same"),
            layers.BatchNormalization(),
            layers.ReLU(),
            layers.MaxPooling2D(),
            layers.Conv2D(8, 3, activation="relu"),
            layers.GlobalAveragePooling2D(),
            layers.Dense(4),
        ],
        name="cnn_bn",
    )


def mobile_cnn():
    return keras.Sequential(
        [
            keras.Input((10, 10, 3)),
            layers.Rescaling(1 / 4.0),
            layers.DepthwiseConv2D(3, padding="same"),
            layers.BatchNormalization(),
            layers.Activation("relu6"),
            layers.SeparableConv2D(8, 3, strides=2, padding="same"),
            layers.AveragePooling2D(2),
            layers.Flatten(),
            layers.Dense(5),
        ],
        name="mobile_cnn",
    )


def text_rnn():
    tokens = keras.Input((7,), dtype="int32", name="tokens")
    x = layers.Embedding(50, 8)(tokens)
    x = layers.Bidirectional(layers.LSTM(6, return_sequences=True))(x)
    x = layers.GRU(6, reset_after=False, return_sequences=True)(x)
    x = layers.SimpleRNN(4)(x)
    return keras.Model(tokens, layers.Dense(1, activation="sigmoid")(x), name="text_rnn")


def multi_io():
    a = keras.Input((6,), name="features")
    b = keras.Input((4, 3), name="sequence")
    ha = layers.Dense(8, activation="tanh")(a)
    hb = layers.LSTM(8)(b)
    merged = layers.Concatenate()([ha, hb])
    scores = layers.Dense(3, activation="softmax", name="scores")(merged)
    value = layers.Dense(1, name="value")(layers.Multiply()([ha, hb]))
    return keras.Model([a, b], [scores, value], name="multi_io")


def nested():
    block = keras.Sequential([keras.Input((6,)), layers.Dense(6), layers.BatchNormalization()], name="block")
    inner_in = keras.Input((6,))
    head = keras.Model(inner_in, layers.Dense(2)(layers.Dense(4, activation="relu")(inner_in)), name="head")
    inputs = keras.Input((6,))
    x = block(inputs)
    x = layers.Add()([x, block(inputs)])  # A shared nested model: two nodes.
    outputs = head(layers.Dense(6)(x))
    return keras.Model(inputs, outputs, name="nested")


def nested_in_sequential():
    inner_in = keras.Input((5,))
    inner = keras.Model(inner_in, layers.Dense(4)(inner_in), name="inner")
    return keras.Sequential([keras.Input((5,)), inner, layers.Dense(2)], name="nested_in_sequential")


MODELS = {
    "mlp": (mlp, [(8,)]),
    "cnn_bn": (cnn_bn, [(10, 10, 3)]),
    "mobile_cnn": (mobile_cnn, [(10, 10, 3)]),
    "text_rnn": (text_rnn, [(7,)]),
    "multi_io": (multi_io, [(6,), (4, 3)]),
    "nested": (nested, [(6,)]),
    "nested_in_sequential": (nested_in_sequential, [(5,)]),
}


def inputs_for(model, shapes, seed, batch=4):
    rng = np.random.default_rng(seed)
    arrays = []
    for tensor, shape in zip(model.inputs, shapes):
        if "int" in str(tensor.dtype):
            arrays.append(rng.integers(0, 50, size=(batch,) + shape).astype("int32"))
        else:
            arrays.append(rng.standard_normal((batch,) + shape).astype("float32"))
    return arrays


def keras_outputs(model, arrays):
    outputs = model(arrays if len(arrays) > 1 else arrays[0], training=False)
    outputs = outputs if isinstance(outputs, (list, tuple)) else [outputs]
    return [np.asarray(keras.ops.convert_to_numpy(y)) for y in outputs]


@pytest.mark.slow
@pytest.mark.requires_node
@pytest.mark.skipif(MISSING_RUNTIME is not None, reason=f"TF.js runtime absent: {MISSING_RUNTIME}")
class ModelMatrixTest(TestCase):
    @classmethod
    def setUpClass(cls):
        keras.utils.set_random_seed(3)
        cls.root = tempfile.mkdtemp(prefix="kv-tfjs-models-")
        cls.models, cls.inputs, cls.expected = {}, {}, {}
        requests = []
        for index, (name, (factory, shapes)) in enumerate(MODELS.items()):
            model = randomize(factory(), seed=index)
            cls.models[name] = model
            cls.inputs[name] = inputs_for(model, shapes, index)
            cls.expected[name] = keras_outputs(model, cls.inputs[name])
            tfjs.save_model(model, cls._dir(name))
            requests.append({"op": "predict", "model_dir": cls._dir(name), "inputs": cls.inputs[name]})
        # Sharded and quantized variants.
        tfjs.save_model(cls.models["cnn_bn"], cls._dir("cnn_bn_sharded"), shard_size_bytes=300)
        requests.append({"op": "predict", "model_dir": cls._dir("cnn_bn_sharded"), "inputs": cls.inputs["cnn_bn"]})
        for quantize in tfjs.QUANTIZE_DTYPES:
            for name in ("mlp", "cnn_bn", "text_rnn"):
                key = f"{name}_{quantize}"
                tfjs.save_model(cls.models[name], cls._dir(key), quantize=quantize)
                requests.append({"op": "predict", "model_dir": cls._dir(key), "inputs": cls.inputs[name]})
        # Fine-tuning in JS: compile, fit a few steps, save with tfjs' model.save.
        cls.targets = {}
        for name in ("mlp", "multi_io", "text_rnn"):
            targets = [np.zeros_like(y) + 0.5 for y in cls.expected[name]]
            cls.targets[name] = targets
            requests.append(
                {
                    "op": "fit",
                    "model_dir": cls._dir(name),
                    "inputs": cls.inputs[name],
                    "targets": targets,
                    "save_dir": cls._dir(f"{name}_finetuned"),
                    "epochs": 3,
                    "batch_size": 2,
                    "learning_rate": 0.1,
                    "loss": "meanSquaredError",
                }
            )
        results = NodeRuntime().run_batch(requests)
        cls.results = {}
        for request, result in zip(requests, results):
            key = os.path.basename(request["model_dir"]) + ("_fit" if request["op"] == "fit" else "")
            cls.results[key] = result

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.root, ignore_errors=True)

    @classmethod
    def _dir(cls, name):
        return os.path.join(cls.root, name)

    def _result(self, key):
        result = self.results[key]
        self.assertNotIn("error", result, f"TF.js failed on {key}: {result.get('error')}")
        return result

    def test_float32_models_match_keras(self):
        for name in MODELS:
            outputs = self._result(name)["outputs"]
            self.assertEqual([o.shape for o in outputs], [e.shape for e in self.expected[name]], name)
            self.assertAllClose(outputs, self.expected[name], atol=1e-5, rtol=0, msg=name)

    def test_load_model_gives_back_the_same_model(self):
        for name in MODELS:
            restored = tfjs.load_model(self._dir(name))
            self.assertEqual(type(restored).__name__, type(self.models[name]).__name__)
            self.assertEqual(len(restored.weights), len(self.models[name].weights))
            self.assertAllClose(keras_outputs(restored, self.inputs[name]), self.expected[name], atol=1e-6, msg=name)

    def test_sharded_export(self):
        shards = sorted(glob.glob(os.path.join(self._dir("cnn_bn_sharded"), "group1-shard*of*.bin")))
        self.assertGreater(len(shards), 3)
        self.assertTrue(all(os.path.getsize(s) <= 300 for s in shards))
        self.assertTrue(os.path.exists(os.path.join(self._dir("cnn_bn_sharded"), f"group1-shard1of{len(shards)}.bin")))
        self.assertAllClose(self._result("cnn_bn_sharded")["outputs"], self.expected["cnn_bn"], atol=1e-5, rtol=0)

    def test_quantized_exports_within_tolerance(self):
        for quantize, tolerance in QUANTIZED_TOLERANCE.items():
            for name in ("mlp", "cnn_bn", "text_rnn"):
                key = f"{name}_{quantize}"
                outputs = self._result(key)["outputs"]
                diff = max(float(np.max(np.abs(o - e))) for o, e in zip(outputs, self.expected[name]))
                self.assertLessEqual(diff, tolerance, key)
                # load_model dequantizes exactly as TF.js does.
                restored = tfjs.load_model(self._dir(key))
                self.assertAllClose(keras_outputs(restored, self.inputs[name]), outputs, atol=1e-5, rtol=0, msg=key)

    def test_quantized_files_are_smaller(self):
        def size(key):
            return sum(os.path.getsize(p) for p in glob.glob(os.path.join(self._dir(key), "*.bin")))

        full = size("cnn_bn")
        self.assertLess(size("cnn_bn_float16"), full * 0.51)
        self.assertLess(size("cnn_bn_uint16"), full * 0.51)
        self.assertLess(size("cnn_bn_uint8"), full * 0.26)

    def test_fine_tuned_in_js_comes_back_to_keras(self):
        for name in ("mlp", "multi_io", "text_rnn"):
            result = self._result(f"{name}_fit")
            self.assertEqual(len(result["loss"]), 3)
            self.assertTrue(np.all(np.isfinite(result["loss"])), name)
            restored = tfjs.load_model(self._dir(f"{name}_finetuned"))
            after = keras_outputs(restored, self.inputs[name])
            # The weights moved in JS, and Python now computes what JS computes.
            self.assertNotAllClose(after, self.expected[name], atol=1e-4)
            self.assertAllClose(after, result["outputs"], atol=1e-5, rtol=0, msg=name)
