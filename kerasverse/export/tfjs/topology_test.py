import json

import keras
from keras import layers

from kerasverse.export.tfjs.topology import model_topology
from kerasverse.testing import TestCase


def _walk(value):
    if isinstance(value, dict):
        yield value
        for v in value.values():
            yield from _walk(v)
    elif isinstance(value, list):
        for v in value:
            yield from _walk(v)


class TopologyTest(TestCase):
    def test_keras3_differences_are_translated(self):
        a, b = keras.Input((4,), name="a"), keras.Input((4,), name="b")
        x = layers.Add(name="add")([layers.Dense(3, name="da")(a), layers.Dense(3, name="db")(b)])
        model = keras.Model([a, b], x)
        topology, problems = model_topology(model)
        self.assertEqual(problems, [])
        self.assertEqual(topology["class_name"], "Functional")
        config = topology["config"]
        by_name = {layer["name"]: layer for layer in config["layers"]}
        self.assertEqual(by_name["a"]["config"]["batch_input_shape"], [None, 4])
        self.assertNotIn("batch_shape", by_name["a"]["config"])
        self.assertEqual(by_name["add"]["inbound_nodes"], [[["da", 0, 0, {}], ["db", 0, 0, {}]]])
        self.assertEqual(by_name["da"]["inbound_nodes"], [[["a", 0, 0, {}]]])
        self.assertEqual(by_name["da"]["config"]["dtype"], "float32")
        self.assertEqual(config["input_layers"], [["a", 0, 0], ["b", 0, 0]])
        self.assertEqual(config["output_layers"], [["add", 0, 0]])
        text = json.dumps(topology)
        for key in ("module", "registered_name", "build_config", "__keras_tensor__", "DTypePolicy"):
            self.assertNotIn(key, text)
        for node in _walk(topology):
            self.assertNotIn("module", node)

    def test_single_input_and_output_are_lists(self):
        inputs = keras.Input((4,), name="x")
        model = keras.Model(inputs, layers.Dense(2, name="d")(inputs))
        config = model_topology(model)[0]["config"]
        self.assertEqual(config["input_layers"], [["x", 0, 0]])
        self.assertEqual(config["output_layers"], [["d", 0, 0]])

    def test_sequential_first_layer_carries_the_input_shape(self):
        model = keras.Sequential([keras.Input((3, 5)), layers.LSTM(2, name="lstm")])
        topology = model_topology(model)[0]
        self.assertEqual(topology["class_name"], "Sequential")
        first = topology["config"]["layers"][0]
        self.assertEqual(first["class_name"], "LSTM")
        self.assertEqual(first["config"]["batch_input_shape"], [None, 3, 5])

    def test_renamed_keys_and_activations(self):
        model = keras.Sequential([keras.Input((3,)), layers.LeakyReLU(negative_slope=0.1), layers.Dense(2, activation="silu")])
        converted = model_topology(model)[0]["config"]["layers"]
        self.assertEqual(converted[0]["config"]["alpha"], 0.1)
        self.assertNotIn("negative_slope", converted[0]["config"])
        self.assertEqual(converted[1]["config"]["activation"], "swish")
        self.assertEqual(converted[1]["config"]["kernel_initializer"], {"class_name": "GlorotUniform", "config": {"seed": None}})

    def test_unsupported_settings_are_reported(self):
        model = keras.Sequential(
            [
                keras.Input((4, 3)),
                layers.GRU(2, return_sequences=True, name="gru"),  # reset_after=True: kerasverse-layers.js
                layers.SpectralNormalization(layers.Dense(2), name="sn"),
                layers.Conv1D(2, 2, padding="causal", name="causal"),
                layers.Activation("exponential", name="exp"),
            ]
        )
        problems = model_topology(model)[1]
        self.assertEqual(len(problems), 3)
        self.assertRegex(problems[0], r"layer `sn` \(SpectralNormalization\) has no TF.js Layers equivalent")
        self.assertEqual(problems.companion, {"gru": "GRU, reset_after=True"})
        self.assertRegex(problems[1], r"layer `causal` \(Conv1D\) has `padding='causal'`")
        self.assertRegex(problems[2], r"layer `exp` \(Activation\) uses activation 'exponential'")

    def test_dict_inputs_are_reported(self):
        inputs = {"x": keras.Input((2,), name="x")}
        model = keras.Model(inputs, layers.Dense(1)(inputs["x"]))
        problems = model_topology(model)[1]
        self.assertTrue(any("dict" in p for p in problems), problems)

    def test_subclassed_model_is_refused(self):
        class Tiny(keras.Model):
            def __init__(self):
                super().__init__()
                self.dense = layers.Dense(2)

            def call(self, x):
                return self.dense(x)

        model = Tiny()
        model(keras.ops.ones((1, 3)))
        with self.assertRaisesRegex(ValueError, r"subclassed model.*Received: Tiny"):
            model_topology(model)

    def test_functional_subclass_is_exported_as_its_graph(self):
        class Task(keras.Model):
            pass

        inputs = keras.Input((3,))
        model = Task(inputs, layers.Dense(2)(inputs))
        topology, problems = model_topology(model)
        self.assertEqual(problems, [])
        self.assertEqual(topology["class_name"], "Functional")

    def test_implicit_mask_ops_are_left_to_tfjs(self):
        tokens = keras.Input((6,), dtype="int32")
        model = keras.Model(tokens, layers.LSTM(3, name="lstm")(layers.Embedding(10, 4, mask_zero=True, name="embedding")(tokens)))
        topology, problems = model_topology(model)
        self.assertEqual(problems, [])
        names = [layer["class_name"] for layer in topology["config"]["layers"]]
        self.assertEqual(names, ["InputLayer", "Embedding", "LSTM"])
        lstm = topology["config"]["layers"][-1]
        self.assertEqual(lstm["inbound_nodes"], [[["embedding", 0, 0, {}]]])

    def test_explicit_ops_are_reported(self):
        inputs = keras.Input((4,))
        model = keras.Model(inputs, layers.Dense(2)(keras.ops.abs(inputs)))
        problems = model_topology(model)[1]
        self.assertTrue(any("(Absolute) has no TF.js Layers equivalent" in p for p in problems), problems)
