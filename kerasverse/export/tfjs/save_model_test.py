import json
import os

import keras
import numpy as np
import pytest
from keras import layers

from kerasverse.export import tfjs
from kerasverse.export.tfjs import weights_manifest
from kerasverse.testing import TestCase


@keras.saving.register_keras_serializable(package="kerasverse_test")
class Doubler(layers.Layer):
    def call(self, x):
        return x * 2


def small_model():
    return keras.Sequential([keras.Input((4,)), layers.Dense(3, name="dense"), layers.BatchNormalization(name="bn")])


class SaveModelTest(TestCase):
    def test_writes_layers_model_json_and_shards(self):
        model = small_model()
        out_dir = os.path.join(self.get_temp_dir(), "web")
        path = tfjs.save_model(model, out_dir)
        self.assertEqual(path, os.path.join(out_dir, "model.json"))
        with open(path) as file:
            model_json = json.load(file)
        self.assertEqual(model_json["format"], "layers-model")
        self.assertEqual(model_json["modelTopology"]["model_config"]["class_name"], "Sequential")
        manifest = model_json["weightsManifest"]
        self.assertEqual(manifest[0]["paths"], ["group1-shard1of1.bin"])
        names = [w["name"] for w in manifest[0]["weights"]]
        # tfjs order: trainable weights of every layer, then non-trainable.
        self.assertEqual(names, ["dense/kernel", "dense/bias", "bn/gamma", "bn/beta", "bn/moving_mean", "bn/moving_variance"])
        self.assertEqual(sorted(os.listdir(out_dir)), ["group1-shard1of1.bin", "model.json"])
        self.assertEqual(os.path.getsize(os.path.join(out_dir, "group1-shard1of1.bin")), 4 * (12 + 3 + 4 * 3))
        read = weights_manifest.read_weights(manifest, out_dir)
        self.assertAllClose(read["dense/kernel"], model.layers[0].kernel)

    def test_rnn_cell_level_is_dropped_from_weight_names(self):
        model = keras.Sequential([keras.Input((3, 2)), layers.Bidirectional(layers.LSTM(2), name="bi")])
        out_dir = os.path.join(self.get_temp_dir(), "web")
        tfjs.save_model(model, out_dir)
        with open(os.path.join(out_dir, "model.json")) as file:
            names = [w["name"] for w in json.load(file)["weightsManifest"][0]["weights"]]
        self.assertEqual(names[:3], ["bi/forward_lstm/kernel", "bi/forward_lstm/recurrent_kernel", "bi/forward_lstm/bias"])
        self.assertEqual(names[3], "bi/backward_lstm/kernel")

    def test_non_empty_out_dir_is_refused(self):
        out_dir = self.get_temp_dir()
        with open(os.path.join(out_dir, "keep.txt"), "w") as file:
            file.write("x")
        with pytest.raises(ValueError, match="must be a new or empty folder.*exists and is not empty"):
            tfjs.save_model(small_model(), out_dir)
        self.assertEqual(os.listdir(out_dir), ["keep.txt"])

    def test_empty_out_dir_is_used(self):
        out_dir = self.get_temp_dir()
        tfjs.save_model(small_model(), out_dir)
        self.assertIn("model.json", os.listdir(out_dir))

    def test_lambda_and_custom_layers_are_refused_and_nothing_is_written(self):
        model = keras.Sequential([keras.Input((4,)), layers.Lambda(lambda x: x + 1, name="plus_one"), Doubler(name="twice")])
        parent = self.get_temp_dir()
        with pytest.raises(tfjs.UnsupportedModelError, match=r"(?s)`plus_one` \(Lambda\).*`twice` \(kerasverse_test>Doubler\).*Supported layers: .*Dense"):
            tfjs.save_model(model, os.path.join(parent, "web"))
        self.assertEqual(os.listdir(parent), [])

    def test_failure_while_writing_leaves_nothing(self):
        parent = self.get_temp_dir()
        original = weights_manifest.write_weights

        def broken(*args, **kwargs):
            original(*args, **kwargs)
            raise OSError("disk full")

        weights_manifest.write_weights = broken
        try:
            with pytest.raises(OSError, match="disk full"):
                tfjs.save_model(small_model(), os.path.join(parent, "web"))
        finally:
            weights_manifest.write_weights = original
        self.assertEqual(os.listdir(parent), [])

    def test_bad_arguments(self):
        out_dir = os.path.join(self.get_temp_dir(), "web")
        with pytest.raises(ValueError, match=r"`quantize` must be None or one of .*Received: quantize='int4'"):
            tfjs.save_model(small_model(), out_dir, quantize="int4")
        with pytest.raises(ValueError, match=r"`shard_size_bytes` must be a positive integer. Received: shard_size_bytes=0"):
            tfjs.save_model(small_model(), out_dir, shard_size_bytes=0)
        with pytest.raises(TypeError, match="must be a keras.Model. Received: Dense"):
            tfjs.save_model(layers.Dense(2), out_dir)

    def test_check_lists_problems_without_writing(self):
        model = keras.Sequential([keras.Input((4, 3)), layers.GRU(2, name="gru"), layers.SpectralNormalization(layers.Dense(2), name="sn")])
        problems = tfjs.check(model)
        self.assertEqual(len(problems), 1)
        self.assertIn("`sn` (SpectralNormalization)", problems[0])
        self.assertEqual(problems.notes, [
            "layer `gru` (GRU, reset_after=True): supported via kerasverse-layers.js, which save_model writes next "
            "to model.json (load it before tf.loadLayersModel)"
        ])
        self.assertEqual(tfjs.check(small_model()), [])
        with pytest.raises(ValueError, match=r"`sn` \(SpectralNormalization\) has no TF.js Layers equivalent"):
            tfjs.check(model, raise_error=True)

    def test_unbuilt_sequential_is_refused(self):
        with pytest.raises(ValueError, match="is not built"):
            tfjs.save_model(keras.Sequential([layers.Dense(2)]), os.path.join(self.get_temp_dir(), "web"))

    def test_quantized_weights_round_trip_through_the_manifest(self):
        model = small_model()
        rng = np.random.default_rng(0)
        model.layers[0].kernel.assign(rng.standard_normal((4, 3)).astype("float32"))
        for quantize, atol in (("float16", 2e-3), ("uint16", 1e-4), ("uint8", 2e-2)):
            out_dir = os.path.join(self.get_temp_dir(), quantize)
            tfjs.save_model(model, out_dir, quantize=quantize)
            with open(os.path.join(out_dir, "model.json")) as file:
                manifest = json.load(file)["weightsManifest"]
            self.assertEqual(manifest[0]["weights"][0]["quantization"]["dtype"], quantize)
            read = weights_manifest.read_weights(manifest, out_dir)
            self.assertAllClose(read["dense/kernel"], model.layers[0].kernel, atol=atol, rtol=0)
            self.assertAllEqual(read["dense/bias"], np.zeros(3, "float32"))  # Zero stays exact.
