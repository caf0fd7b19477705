import json
import os

import keras
import numpy as np
import pytest
from keras import layers

from kerasverse.export import tfjs
from kerasverse.testing import TestCase


def _export(test):
    model = keras.Sequential([keras.Input((4,)), layers.Dense(8, name="dense"), layers.Dense(2, name="out")])
    out_dir = os.path.join(test.get_temp_dir(), "web")
    tfjs.save_model(model, out_dir)
    return model, out_dir


def _edit_json(out_dir, edit):
    path = os.path.join(out_dir, "model.json")
    with open(path) as file:
        model_json = json.load(file)
    edit(model_json)
    with open(path, "w") as file:
        json.dump(model_json, file)


class LoadModelTest(TestCase):
    def test_round_trip_from_folder_or_json_path(self):
        model, out_dir = _export(self)
        x = np.random.default_rng(0).standard_normal((3, 4)).astype("float32")
        for path in (out_dir, os.path.join(out_dir, "model.json")):
            restored = tfjs.load_model(path)
            self.assertIsInstance(restored, keras.Sequential)
            self.assertAllClose(restored(x), model(x), atol=1e-6)

    def test_missing_folder(self):
        with pytest.raises(FileNotFoundError, match="No model.json at"):
            tfjs.load_model(os.path.join(self.get_temp_dir(), "nothing"))

    def test_corrupted_model_json(self):
        _, out_dir = _export(self)
        with open(os.path.join(out_dir, "model.json"), "w") as file:
            file.write('{"format": "layers-model", "modelTop')
        with pytest.raises(ValueError, match="is not valid JSON.*corrupted"):
            tfjs.load_model(out_dir)

    def test_unknown_format(self):
        _, out_dir = _export(self)
        _edit_json(out_dir, lambda j: j.update(format="layers-model-v2"))
        with pytest.raises(ValueError, match=r"has format 'layers-model-v2'; only \('layers-model',\)"):
            tfjs.load_model(out_dir)
        _edit_json(out_dir, lambda j: j.update(format="graph-model"))
        with pytest.raises(ValueError, match="Graph models"):
            tfjs.load_model(out_dir)

    def test_unknown_model_class(self):
        _, out_dir = _export(self)
        _edit_json(out_dir, lambda j: j["modelTopology"]["model_config"].update(class_name="Mystery"))
        with pytest.raises(ValueError, match=r"the model class is 'Mystery'; expected one of"):
            tfjs.load_model(out_dir)

    def test_unknown_layer_class(self):
        _, out_dir = _export(self)
        _edit_json(out_dir, lambda j: j["modelTopology"]["model_config"]["config"]["layers"][1].update(class_name="MyLayer"))
        with pytest.raises(ValueError, match=r"Layer `out` has class 'MyLayer'.*Supported: "):
            tfjs.load_model(out_dir)

    def test_missing_shard(self):
        _, out_dir = _export(self)
        os.remove(os.path.join(out_dir, "group1-shard1of1.bin"))
        with pytest.raises(FileNotFoundError, match="lists group1-shard1of1.bin, which is missing"):
            tfjs.load_model(out_dir)

    def test_truncated_shard(self):
        _, out_dir = _export(self)
        path = os.path.join(out_dir, "group1-shard1of1.bin")
        with open(path, "r+b") as file:
            file.truncate(20)
        with pytest.raises(ValueError, match="truncated or corrupted"):
            tfjs.load_model(out_dir)

    def test_missing_weight(self):
        _, out_dir = _export(self)
        _edit_json(out_dir, lambda j: j["weightsManifest"][0]["weights"][-1].update(name="out/other"))
        with pytest.raises(ValueError, match=r"the weights manifest lacks \['out/bias'\]"):
            tfjs.load_model(out_dir)


class OfficialConverterFixtureTest(TestCase):
    """testdata/official_converter_tf_keras2: a tf.keras 2 model (Conv1D, BN, LSTM,
    Dense) converted by the official `tensorflowjs` 4.22 converter, with
    tf.keras' own outputs as the oracle."""

    def test_loads_official_converter_output(self):
        folder = os.path.join(os.path.dirname(__file__), "testdata", "official_converter_tf_keras2")
        expected = np.load(os.path.join(folder, "expected.npz"))
        model = tfjs.load_model(folder)
        self.assertEqual([type(layer).__name__ for layer in model.layers], ["Conv1D", "BatchNormalization", "LSTM", "Dense"])
        self.assertAllClose(model(expected["inputs"]), expected["outputs"], atol=1e-5, rtol=0)
