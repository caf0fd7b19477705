import json

import keras

from kerasverse.optimize import _compact_config
from kerasverse.testing import TestCase


def _json(config):
    return json.loads(json.dumps(config))


class UnregisteredLayer(keras.layers.Layer):
    def call(self, inputs):
        return inputs * 2


class CompactConfigTest(TestCase):
    def test_defaults_are_left_out_and_the_model_rebuilds(self):
        inner = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, use_bias=False)], name="inner")
        inputs = keras.Input((6,))
        x = keras.layers.Dense(4, activation="relu", kernel_regularizer="l2", name="hidden")(inputs)
        model = keras.Model(inputs, inner(x))
        model.compile("adam", "mse")
        compact = _compact_config.compact_config(model)
        full = keras.saving.serialize_keras_object(model)
        self.assertIn("compile_config", full)
        self.assertNotIn("compile_config", compact)
        text = json.dumps(compact)
        self.assertLess(len(text), len(json.dumps(full)) / 2)
        hidden = next(layer for layer in compact["config"]["layers"] if layer["name"] == "hidden")["config"]
        self.assertEqual(set(hidden), {"name", "units", "activation", "kernel_regularizer"})
        self.assertIn('"use_bias": false', text)  # A non-default value of the nested model's layer stays.
        rebuilt = keras.saving.serialize_keras_object(keras.saving.deserialize_keras_object(compact))
        self.assertFalse(rebuilt.pop("compile_config", None))  # Rebuilt uncompiled.
        full.pop("compile_config")
        self.assertEqual(_json(rebuilt), _json(full))

    def test_full_config_when_the_compact_one_does_not_rebuild(self):
        inputs = keras.Input((3,))
        model = keras.Model(inputs, UnregisteredLayer(name="double")(keras.layers.Dense(2)(inputs)))
        model.compile("adam", "mse")
        full = keras.saving.serialize_keras_object(model)
        full.pop("compile_config")
        # Keras cannot find the unregistered class, so the check cannot pass: nothing is left out.
        self.assertEqual(_json(_compact_config.compact_config(model)), _json(full))
