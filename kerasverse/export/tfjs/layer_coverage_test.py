"""Every supported layer, exported and run in real TF.js (one Node process)."""

import os

import keras
import numpy as np
import pytest
from keras import layers

from kerasverse.export import tfjs
from kerasverse.export.tfjs.runtime import NodeRuntime
from kerasverse.export.tfjs.save_model import COMPANION_PATH
from kerasverse.export.tfjs.supported_layers import CUSTOM_LAYERS
from kerasverse.export.tfjs.supported_layers import SUPPORTED_LAYERS
from kerasverse.testing import TestCase

MISSING_RUNTIME = NodeRuntime().missing()


def randomize(model, seed=0):
    """Random (non-default) weights so biases, BN statistics, ... matter."""
    rng = np.random.default_rng(seed)
    for variable in model.weights:
        if "seed_generator" in variable.path:
            continue
        shape = tuple(variable.shape)
        if "variance" in variable.name:
            value = rng.uniform(0.5, 1.5, shape)
        elif variable.name == "embeddings":
            value = rng.standard_normal(shape)
        else:
            value = rng.standard_normal(shape) * 0.3
        variable.assign(value.astype(variable.dtype))
    return model


def _one(layer, shape, dtype="float32"):
    inputs = keras.Input(shape, dtype=dtype)
    return keras.Model(inputs, layer(inputs))


def _masked_text():
    tokens = keras.Input((6,), dtype="int32")
    return keras.Model(tokens, layers.LSTM(3)(layers.Embedding(10, 4, mask_zero=True)(tokens)))


def _one_seq(first, second):
    inputs = keras.Input((5, 3))
    return keras.Model(inputs, second(first(inputs)))


def _two(layer, shape_a, shape_b=None):
    a, b = keras.Input(shape_a), keras.Input(shape_b or shape_a)
    return keras.Model([a, b], layer([a, b]))


# name -> (model factory, input shapes without batch, integer input range or None).
LAYER_CASES = {
    "dense_relu": (lambda: _one(layers.Dense(4, activation="relu"), (5,)), [(5,)]),
    "dense_softmax_nobias": (lambda: _one(layers.Dense(3, activation="softmax", use_bias=False), (5,)), [(5,)]),
    "activation_gelu": (lambda: _one(layers.Activation("gelu"), (6,)), [(6,)]),
    "activation_silu": (lambda: _one(layers.Activation("silu"), (6,)), [(6,)]),
    "activation_selu": (lambda: _one(layers.Activation("selu"), (6,)), [(6,)]),
    "activation_softplus": (lambda: _one(layers.Activation("softplus"), (6,)), [(6,)]),
    "activation_mish": (lambda: _one(layers.Activation("mish"), (6,)), [(6,)]),
    "activation_relu6": (lambda: _one(layers.Activation("relu6"), (6,)), [(6,)]),
    "activation_log_softmax": (lambda: _one(layers.Activation("log_softmax"), (6,)), [(6,)]),
    "dropout": (lambda: _one(layers.Dropout(0.4), (5,)), [(5,)]),
    "spatial_dropout1d": (lambda: _one(layers.SpatialDropout1D(0.4), (4, 5)), [(4, 5)]),
    "gaussian_noise": (lambda: _one(layers.GaussianNoise(0.4), (5,)), [(5,)]),
    "gaussian_dropout": (lambda: _one(layers.GaussianDropout(0.4), (5,)), [(5,)]),
    "alpha_dropout": (lambda: _one(layers.AlphaDropout(0.4), (5,)), [(5,)]),
    "flatten": (lambda: _one(layers.Flatten(), (3, 4, 2)), [(3, 4, 2)]),
    "reshape": (lambda: _one(layers.Reshape((4, 6)), (3, 8)), [(3, 8)]),
    "permute": (lambda: _one(layers.Permute((2, 1)), (3, 4)), [(3, 4)]),
    "repeat_vector": (lambda: _one(layers.RepeatVector(3), (4,)), [(4,)]),
    "masking": (lambda: _one(layers.Masking(0.0), (3, 4)), [(3, 4)]),
    "conv1d_same_strided": (lambda: _one(layers.Conv1D(4, 3, strides=2, padding="same"), (9, 3)), [(9, 3)]),
    "conv1d_dilated": (lambda: _one(layers.Conv1D(4, 3, dilation_rate=2), (9, 3)), [(9, 3)]),
    "conv2d_valid_relu": (lambda: _one(layers.Conv2D(4, 3, activation="relu"), (7, 7, 3)), [(7, 7, 3)]),
    "conv2d_same_strided": (lambda: _one(layers.Conv2D(4, (3, 2), strides=2, padding="same"), (8, 7, 3)), [(8, 7, 3)]),
    "conv2d_dilated": (lambda: _one(layers.Conv2D(2, 3, dilation_rate=2), (9, 9, 2)), [(9, 9, 2)]),
    "conv3d": (lambda: _one(layers.Conv3D(2, 2, padding="same"), (4, 4, 4, 2)), [(4, 4, 4, 2)]),
    "conv2d_transpose": (lambda: _one(layers.Conv2DTranspose(3, 3, strides=2, padding="same"), (4, 4, 2)), [(4, 4, 2)]),
    "conv2d_transpose_valid": (lambda: _one(layers.Conv2DTranspose(3, 3, strides=2), (4, 4, 2)), [(4, 4, 2)]),
    "conv3d_transpose": (lambda: _one(layers.Conv3DTranspose(2, 2, strides=2), (3, 3, 3, 2)), [(3, 3, 3, 2)]),
    "depthwise_conv2d": (lambda: _one(layers.DepthwiseConv2D(3, depth_multiplier=2, padding="same"), (6, 6, 3)), [(6, 6, 3)]),
    "separable_conv2d": (lambda: _one(layers.SeparableConv2D(4, 3, depth_multiplier=2), (6, 6, 3)), [(6, 6, 3)]),
    "max_pooling1d": (lambda: _one(layers.MaxPooling1D(2), (6, 3)), [(6, 3)]),
    "max_pooling2d_same": (lambda: _one(layers.MaxPooling2D(3, strides=2, padding="same"), (7, 7, 2)), [(7, 7, 2)]),
    "max_pooling3d": (lambda: _one(layers.MaxPooling3D(2), (4, 4, 4, 2)), [(4, 4, 4, 2)]),
    "average_pooling1d": (lambda: _one(layers.AveragePooling1D(2), (6, 3)), [(6, 3)]),
    "average_pooling2d_same": (lambda: _one(layers.AveragePooling2D(3, strides=2, padding="same"), (7, 7, 2)), [(7, 7, 2)]),
    "average_pooling3d": (lambda: _one(layers.AveragePooling3D(2), (4, 4, 4, 2)), [(4, 4, 4, 2)]),
    "global_max_pooling1d": (lambda: _one(layers.GlobalMaxPooling1D(), (6, 3)), [(6, 3)]),
    "global_max_pooling2d": (lambda: _one(layers.GlobalMaxPooling2D(), (5, 5, 3)), [(5, 5, 3)]),
    "global_average_pooling1d": (lambda: _one(layers.GlobalAveragePooling1D(), (6, 3)), [(6, 3)]),
    "global_average_pooling2d": (lambda: _one(layers.GlobalAveragePooling2D(), (5, 5, 3)), [(5, 5, 3)]),
    "batch_normalization": (lambda: _one(layers.BatchNormalization(), (5, 5, 3)), [(5, 5, 3)]),
    "layer_normalization": (lambda: _one(layers.LayerNormalization(), (4, 6)), [(4, 6)]),
    "embedding": (lambda: _one(layers.Embedding(10, 4), (5,), dtype="int32"), [(5,)]),
    "simple_rnn": (lambda: _one(layers.SimpleRNN(4), (5, 3)), [(5, 3)]),
    "lstm_sequences": (lambda: _one(layers.LSTM(4, return_sequences=True), (5, 3)), [(5, 3)]),
    "lstm_backwards": (lambda: _one(layers.LSTM(4, go_backwards=True), (5, 3)), [(5, 3)]),
    "gru": (lambda: _one(layers.GRU(4, reset_after=False), (5, 3)), [(5, 3)]),
    "bidirectional_lstm_concat": (lambda: _one(layers.Bidirectional(layers.LSTM(3)), (5, 3)), [(5, 3)]),
    "bidirectional_gru_sum": (lambda: _one(layers.Bidirectional(layers.GRU(3, reset_after=False, return_sequences=True), merge_mode="sum"), (5, 3)), [(5, 3)]),
    "embedding_mask_zero_lstm": (lambda: _masked_text(), [(6,)]),
    "masking_gru": (lambda: _one_seq(layers.Masking(0.0), layers.GRU(3, reset_after=False)), [(5, 3)]),
    "time_distributed_dense": (lambda: _one(layers.TimeDistributed(layers.Dense(3)), (4, 5)), [(4, 5)]),
    "add": (lambda: _two(layers.Add(), (4,)), [(4,), (4,)]),
    "multiply": (lambda: _two(layers.Multiply(), (4,)), [(4,), (4,)]),
    "average": (lambda: _two(layers.Average(), (4,)), [(4,), (4,)]),
    "maximum": (lambda: _two(layers.Maximum(), (4,)), [(4,), (4,)]),
    "minimum": (lambda: _two(layers.Minimum(), (4,)), [(4,), (4,)]),
    "concatenate": (lambda: _two(layers.Concatenate(axis=1), (3, 4), (2, 4)), [(3, 4), (2, 4)]),
    "dot": (lambda: _two(layers.Dot(axes=1, normalize=True), (4,)), [(4,), (4,)]),
    "zero_padding2d": (lambda: _one(layers.ZeroPadding2D(((1, 2), (0, 1))), (4, 4, 2)), [(4, 4, 2)]),
    "cropping2d": (lambda: _one(layers.Cropping2D(((1, 0), (0, 2))), (5, 5, 2)), [(5, 5, 2)]),
    "up_sampling2d_nearest": (lambda: _one(layers.UpSampling2D(2), (3, 3, 2)), [(3, 3, 2)]),
    "up_sampling2d_size": (lambda: _one(layers.UpSampling2D((2, 3)), (3, 3, 2)), [(3, 3, 2)]),
    "rescaling": (lambda: _one(layers.Rescaling(1 / 255.0, offset=-1.0), (4, 4, 3)), [(4, 4, 3)]),
    "relu_max_value": (lambda: _one(layers.ReLU(max_value=0.5), (6,)), [(6,)]),
    "leaky_relu": (lambda: _one(layers.LeakyReLU(negative_slope=0.2), (6,)), [(6,)]),
    "prelu": (lambda: _one(layers.PReLU(), (6,)), [(6,)]),
    "elu": (lambda: _one(layers.ELU(), (6,)), [(6,)]),
    "softmax": (lambda: _one(layers.Softmax(), (6,)), [(6,)]),
}


def _inputs(model, shapes, seed):
    rng = np.random.default_rng(seed)
    arrays = []
    for tensor, shape in zip(model.inputs, shapes):
        if "int" in str(tensor.dtype):
            array = rng.integers(1, 10, size=(3,) + shape).astype("int32")
        else:
            array = (rng.standard_normal((3,) + shape) * 2).astype("float32")
        if len(shape) >= 1 and shape[0] >= 4:
            array[0, -2:] = 0  # Padding, for the masking cases.
        arrays.append(array)
    return arrays if len(arrays) > 1 else arrays[0]


@pytest.mark.slow
@pytest.mark.requires_node
@pytest.mark.skipif(MISSING_RUNTIME is not None, reason=f"TF.js runtime absent: {MISSING_RUNTIME}")
class LayerCoverageTest(TestCase):
    """Each case: export, `tf.loadLayersModel` in Node, predict, compare (<= 1e-5)."""

    results = None

    @classmethod
    def setUpClass(cls):
        keras.utils.set_random_seed(7)
        cls.root = os.path.join(os.environ.get("PYTEST_TMPDIR", "/tmp"), f"kv-tfjs-layers-{os.getpid()}-{keras.config.backend()}")
        cases = []
        for index, (name, (factory, shapes)) in enumerate(LAYER_CASES.items()):
            model = randomize(factory(), seed=index)
            out_dir = os.path.join(cls.root, name)
            tfjs.save_model(model, out_dir)
            cases.append((model, out_dir, _inputs(model, shapes, index)))
        cls.cases = dict(zip(LAYER_CASES, cases))
        cls.results = dict(zip(LAYER_CASES, tfjs.verify_many(cases)))

    @classmethod
    def tearDownClass(cls):
        import shutil

        shutil.rmtree(cls.root, ignore_errors=True)

    def test_every_layer_matches_keras(self):
        failures = {name: r.error or r.max_abs_diff for name, r in self.results.items() if not r.ok(1e-5)}
        self.assertEqual(failures, {}, "TF.js outputs differ from Keras by more than 1e-5")

    def test_every_supported_layer_is_covered(self):
        covered = set()
        for model, _, _ in self.cases.values():
            for layer in model.layers:
                covered.add(type(layer).__name__)
                if hasattr(layer, "layer"):
                    covered.add(type(layer.layer).__name__)
        uncovered = set(tfjs.supported_layer_names()) - covered - {"Sequential", "Functional"}
        # The layers only kerasverse-layers.js implements are covered by companion_layers_test.py.
        companion = {name for name, spec in SUPPORTED_LAYERS.items() if spec.companion} | set(CUSTOM_LAYERS)
        self.assertEqual(uncovered - companion, set())

    def test_load_model_round_trip(self):
        for name, (_, out_dir, inputs) in self.cases.items():
            restored = tfjs.load_model(out_dir)
            # Keras on the reloaded export computes what TF.js computed.
            outputs = restored(inputs, training=False)
            self.assertAllClose(outputs, self.results[name].outputs[0], atol=1e-5, rtol=0, msg=name)

    def test_supported_layers_are_registered_in_tfjs(self):
        stock, with_companion = (
            set(result["classes"])
            for result in NodeRuntime().run([{"op": "classes"}, {"op": "classes", "companion": COMPANION_PATH}])
        )
        for name, spec in {**SUPPORTED_LAYERS, **CUSTOM_LAYERS}.items():
            if name in ("Sequential", "Functional"):
                continue
            tfjs_class = spec.tfjs_class or name
            self.assertIn(tfjs_class, with_companion if spec.companion else stock, name)
