import json
import os

import keras
import numpy as np
import pytest

from kerasverse.optimize import sparsity
from kerasverse.testing import TestCase

EVERY_STEP = {"pruning_schedule": sparsity.ConstantSparsity(0.5, begin_step=0, frequency=1)}

LAYERS = [
    ("dense", lambda: keras.layers.Dense(4), (2, 8), (2, 4)),
    ("einsum_dense", lambda: keras.layers.EinsumDense("ab,bc->ac", output_shape=4), (2, 8), (2, 4)),
    ("conv1d", lambda: keras.layers.Conv1D(4, 3), (2, 6, 4), (2, 4, 4)),
    ("conv2d", lambda: keras.layers.Conv2D(4, 3), (2, 5, 5, 4), (2, 3, 3, 4)),
    ("conv3d", lambda: keras.layers.Conv3D(2, 2), (2, 3, 3, 3, 2), (2, 2, 2, 2, 2)),
    ("depthwise", lambda: keras.layers.DepthwiseConv2D(3), (2, 5, 5, 4), (2, 3, 3, 4)),
    ("separable", lambda: keras.layers.SeparableConv2D(4, 3), (2, 5, 5, 4), (2, 3, 3, 4)),
]


def _sparsity(array):
    return float(np.mean(keras.ops.convert_to_numpy(array) == 0))


@pytest.mark.parametrize("name,make_layer,input_shape,output_shape", LAYERS)
def test_layer_contract(name, make_layer, input_shape, output_shape):
    case = TestCase()
    case.setUp()
    case.run_layer_test(
        sparsity.PruneLowMagnitude,
        {"layer": make_layer(), **EVERY_STEP},
        input_shape=input_shape,
        expected_output_shape=output_shape,
    )


class PruneLowMagnitudeTest(TestCase):
    def test_training_call_prunes_and_masks_output(self):
        layer = sparsity.PruneLowMagnitude(keras.layers.Dense(3, use_bias=False), **EVERY_STEP)
        inputs = np.random.default_rng(0).standard_normal((4, 6)).astype("float32")
        layer(inputs)
        self.assertAllClose(layer.masks[0], np.ones((6, 3)))  # inference leaves masks alone
        output = layer(inputs, training=True)
        mask = keras.ops.convert_to_numpy(layer.masks[0])
        self.assertAllClose(mask.mean(), 0.5)
        kernel = keras.ops.convert_to_numpy(layer.layer.kernel)
        self.assertAllClose(output, inputs @ (kernel * mask), atol=1e-5)
        self.assertEqual(int(keras.ops.convert_to_numpy(layer.pruning_step)), 0)

    def test_mixed_precision_keeps_compute_dtype(self):
        keras.config.set_dtype_policy("mixed_float16")
        try:
            layer = sparsity.PruneLowMagnitude(keras.layers.Dense(4), **EVERY_STEP)
            output = layer(np.ones((2, 8), "float32"), training=True)
        finally:
            keras.config.set_dtype_policy("float32")
        self.assertEqual(keras.backend.standardize_dtype(output.dtype), "float16")
        self.assertEqual(layer.layer.kernel.dtype, "float32")

    def test_embedding(self):
        layer = sparsity.PruneLowMagnitude(keras.layers.Embedding(10, 4), **EVERY_STEP)
        tokens = np.arange(10).reshape(2, 5)
        output = keras.ops.convert_to_numpy(layer(tokens, training=True))
        self.assertAllClose(_sparsity(output), 0.5)

    def test_multi_head_attention_in_functional_model(self):
        query = keras.Input((3, 8))
        value = keras.Input((4, 8))
        attention = keras.layers.MultiHeadAttention(num_heads=2, key_dim=4)
        model = keras.Model([query, value], attention(query, value))
        pruned = sparsity.prune_low_magnitude(model, **EVERY_STEP)
        wrapper = pruned.layers[-1]
        self.assertIsInstance(wrapper, sparsity.PruneLowMagnitude)
        self.assertLen(wrapper.masks, 4)
        data = [np.ones((2, 3, 8), "float32"), np.ones((2, 4, 8), "float32")]
        pruned.compile("sgd", "mse")
        pruned.fit(data, np.zeros((2, 3, 8), "float32"), epochs=1, verbose=0)
        for mask in wrapper.masks:
            self.assertAllClose(_sparsity(mask), 0.5, atol=0.02)
        stripped = sparsity.strip_pruning(pruned)
        self.assertAllClose(stripped(data), pruned(data), atol=1e-5)
        self.assertAllClose(_sparsity(stripped.layers[-1]._query_dense.kernel), 0.5, atol=0.02)

    def test_prunable_layer_interface(self):
        @keras.saving.register_keras_serializable(package="kerasverse_test")
        class MyDense(keras.layers.Layer, sparsity.PrunableLayer):
            def build(self, input_shape):
                self.kernel = self.add_weight(shape=(input_shape[-1], 4))

            def call(self, inputs):
                return keras.ops.matmul(inputs, self.kernel)

            def get_prunable_weights(self):
                return [self.kernel]

        layer = sparsity.PruneLowMagnitude(MyDense(), **EVERY_STEP)
        layer(np.ones((2, 8), "float32"), training=True)
        self.assertAllClose(_sparsity(layer.masks[0]), 0.5)

    def test_unsupported_layer(self):
        with pytest.raises(ValueError, match=r"'lstm'.*LSTM cannot be pruned.*PrunableLayer"):
            sparsity.PruneLowMagnitude(keras.layers.LSTM(2, name="lstm"))
        model = keras.Sequential([keras.Input((3, 2)), keras.layers.GRU(2, name="gru")])
        with pytest.raises(ValueError, match="'gru' of type GRU"):
            sparsity.prune_low_magnitude(model)

    def test_bad_options(self):
        with pytest.raises(ValueError, match=r"sparsity_m_by_n.*Received: sparsity_m_by_n=\(4, 2\)"):
            sparsity.PruneLowMagnitude(keras.layers.Dense(2), sparsity_m_by_n=(4, 2))
        with pytest.raises(ValueError, match=r"block_size.*Received: block_size=\(0, 1\)"):
            sparsity.PruneLowMagnitude(keras.layers.Dense(2), block_size=(0, 1))
        with pytest.raises(ValueError, match="already wrapped"):
            sparsity.PruneLowMagnitude(sparsity.PruneLowMagnitude(keras.layers.Dense(2)))


def _digits_like(seed=0, samples=96):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((samples, 8, 8, 1)).astype("float32")
    y = (x[:, :4].sum(axis=(1, 2, 3)) > 0).astype("int32")
    return x, y


def _cnn():
    inputs = keras.Input((8, 8, 1))
    x = keras.layers.Conv2D(8, 3, activation="relu")(inputs)
    x = keras.layers.BatchNormalization()(x)
    x = keras.layers.MaxPooling2D()(x)
    x = keras.layers.Flatten()(x)
    x = keras.layers.Dense(16, activation="relu")(x)
    outputs = keras.layers.Dense(2)(x)
    return keras.Model(inputs, outputs)


class PruneModelTest(TestCase):
    def _fit(self, model, epochs=2, callbacks=()):
        x, y = _digits_like()
        model.compile(
            keras.optimizers.Adam(0.01),
            keras.losses.SparseCategoricalCrossentropy(from_logits=True),
            jit_compile=keras.config.backend() == "jax",
        )
        model.fit(x, y, batch_size=16, epochs=epochs, verbose=0, callbacks=list(callbacks))
        return x

    def test_prune_train_strip_save_load(self):
        model = _cnn()
        original_kernel = keras.ops.convert_to_numpy(model.layers[1].kernel).copy()
        schedule = sparsity.PolynomialDecay(0.0, 0.8, begin_step=0, end_step=8, frequency=2)
        pruned = sparsity.prune_low_magnitude(model, pruning_schedule=schedule)
        wrapped = [type(layer.layer).__name__ for layer in pruned.layers if hasattr(layer, "masks")]
        self.assertEqual(wrapped, ["Conv2D", "Dense", "Dense"])
        log_dir = os.path.join(self.get_temp_dir(), "logs")
        x = self._fit(
            pruned,
            epochs=2,
            callbacks=[sparsity.UpdatePruningStep(), sparsity.PruningSummaries(log_dir)],
        )
        # The input model is untouched; the pruned one reached 80 %.
        self.assertAllClose(model.layers[1].kernel, original_kernel)
        for layer in pruned.layers:
            if isinstance(layer, sparsity.PruneLowMagnitude):
                self.assertAllClose(_sparsity(layer.masks[0]), 0.8, atol=0.02)
                # UpdatePruningStep wrote the zeros into the weights.
                self.assertAllClose(_sparsity(layer.prunable_weights[0]), 0.8, atol=0.02)
                self.assertEqual(int(keras.ops.convert_to_numpy(layer.pruning_step)), 11)
        records = [json.loads(line) for line in open(os.path.join(log_dir, "pruning_summaries.jsonl"))]
        self.assertEqual([r["epoch"] for r in records], [0, 1])
        self.assertAllClose(records[-1]["sparsity"]["dense/kernel"], 0.8, atol=0.02)

        stripped = sparsity.strip_pruning(pruned)
        self.assertFalse(any(isinstance(layer, sparsity.PruneLowMagnitude) for layer in stripped.layers))
        self.assertAllClose(stripped.predict(x, verbose=0), pruned.predict(x, verbose=0), atol=1e-5)
        self.assertAllClose(_sparsity(stripped.layers[1].kernel), 0.8, atol=0.02)

        # Both the wrapped and the stripped model survive .keras save/load.
        for candidate in (pruned, stripped):
            path = os.path.join(self.get_temp_dir(), "model.keras")
            candidate.save(path)
            with sparsity.prune_scope():
                restored = keras.saving.load_model(path)
            self.assertAllClose(restored.predict(x, verbose=0), candidate.predict(x, verbose=0), atol=1e-5)

    def test_m_by_n_training(self):
        model = keras.Sequential([keras.Input((8, 8, 1)), keras.layers.Flatten(), keras.layers.Dense(2)])
        pruned = sparsity.prune_low_magnitude(
            model,
            pruning_schedule=sparsity.ConstantSparsity(0.5, 0, frequency=1),
            sparsity_m_by_n=(2, 4),
        )
        self._fit(pruned, epochs=1)
        kernel = keras.ops.convert_to_numpy(sparsity.strip_pruning(pruned).layers[-1].kernel)
        self.assertAllEqual((kernel.reshape(16, 4, 2) != 0).sum(axis=1), np.full((16, 2), 2))

    @pytest.mark.slow
    def test_pruning_keeps_accuracy_of_separable_problem(self):
        model = _cnn()
        x = self._fit(model, epochs=3)
        x, y = _digits_like()
        dense_accuracy = np.mean(np.argmax(model.predict(x, verbose=0), -1) == y)
        pruned = sparsity.prune_low_magnitude(
            model, pruning_schedule=sparsity.ConstantSparsity(0.5, 0, frequency=3)
        )
        self._fit(pruned, epochs=2)
        pruned_accuracy = np.mean(np.argmax(pruned.predict(x, verbose=0), -1) == y)
        self.assertGreater(pruned_accuracy, 0.8)
        self.assertGreater(pruned_accuracy, dense_accuracy - 0.15)

    def test_strip_unwrapped_model(self):
        with pytest.raises(ValueError, match="'plain' without any `PruneLowMagnitude`"):
            sparsity.strip_pruning(keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)], name="plain"))

    def test_update_pruning_step_needs_wrappers(self):
        model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)], name="plain")
        model.compile("sgd", "mse")
        with pytest.raises(ValueError, match="no `PruneLowMagnitude` layer. Received model 'plain'"):
            model.fit(np.ones((2, 2)), np.ones((2, 1)), verbose=0, callbacks=[sparsity.UpdatePruningStep()])

    def test_tfmot_spelling(self):
        self.assertIs(sparsity.keras.prune_low_magnitude, sparsity.prune_low_magnitude)


class NestedModelTest(TestCase):
    def test_layers_of_nested_models_are_wrapped(self):
        backbone = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8)], name="backbone")
        inputs = keras.Input((4,), name="features")
        model = keras.Model(inputs, keras.layers.Dense(2, name="head")(backbone(inputs)))
        pruned = sparsity.prune_low_magnitude(model, **EVERY_STEP)
        self.assertIsInstance(pruned.layers[1].layers[0], sparsity.PruneLowMagnitude)
        pruned(np.ones((2, 4), "float32"), training=True)
        stripped = sparsity.strip_pruning(pruned)
        self.assertEqual(stripped.layers[0].name, "features")
        self.assertAllClose(_sparsity(stripped.layers[1].layers[0].kernel), 0.5)


class InputShapeTest(TestCase):
    def test_wrapped_first_layer_keeps_input_shape(self):
        # The tfmot 2:4 sparsity guide: a wrapped first layer with `input_shape`.
        from kerasverse.optimize import clustering
        from kerasverse.optimize import quantization

        for wrapped in (
            sparsity.prune_low_magnitude(
                keras.layers.Dense(4, input_shape=(20,)), sparsity_m_by_n=(2, 4)
            ),
            quantization.quantize_annotate_layer(keras.layers.Dense(4, input_shape=(20,))),
            clustering.cluster_weights(
                keras.layers.Dense(4, input_shape=(20,)),
                number_of_clusters=2,
                cluster_centroids_init=clustering.CentroidInitialization.LINEAR,
            ),
        ):
            model = keras.Sequential([wrapped, keras.layers.Dense(2)])
            self.assertTrue(model.built, type(wrapped).__name__)
            self.assertEqual(tuple(model.input_shape), (None, 20))
            self.assertEqual(tuple(model.output_shape), (None, 2))

    def test_m_by_n_pads_the_input_channels_like_tfmot(self):
        # tfmot pads the input channels with zeros to a multiple of n: the
        # 2:4 guide prunes a Conv2D that reads a 1-channel image.
        layer = sparsity.PruneLowMagnitude(keras.layers.Dense(3), sparsity_m_by_n=(2, 4), **EVERY_STEP)
        layer(np.ones((1, 6), "float32"), training=True)
        mask = keras.ops.convert_to_numpy(layer.masks[0])
        np.testing.assert_array_equal(mask[:4].sum(axis=0), [2, 2, 2])  # a full group: 2 of 4
        np.testing.assert_array_equal(mask[4:], np.ones((2, 3)))  # the padded group keeps both
        conv = sparsity.PruneLowMagnitude(keras.layers.Conv2D(4, 3), sparsity_m_by_n=(2, 4), **EVERY_STEP)
        conv(np.ones((1, 5, 5, 1), "float32"), training=True)
        np.testing.assert_array_equal(keras.ops.convert_to_numpy(conv.masks[0]), np.ones((3, 3, 1, 4)))

    def test_update_pruning_step_epoch_end_keyword(self):
        # tfmot's signature is `on_epoch_end(self, batch, logs=None)`.
        pruned = sparsity.prune_low_magnitude(
            keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)]), **EVERY_STEP
        )
        pruned(np.ones((2, 4), "float32"), training=True)
        wrapper = pruned.layers[0]
        wrapper.layer.kernel.assign(np.ones((4, 2), "float32"))
        callback = sparsity.UpdatePruningStep()
        callback.set_model(pruned)
        callback.on_epoch_end(batch=0, logs={})
        self.assertAllClose(_sparsity(wrapper.layer.kernel), 0.5)
