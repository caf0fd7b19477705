import keras
import numpy as np
import pytest

from kerasverse.testing import TestCase


@keras.saving.register_keras_serializable(package="kerasverse_test")
class ScaleLayer(keras.layers.Layer):
    """A tiny layer with one trainable weight, used to test the helper."""

    def __init__(self, units=3, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], self.units), initializer="ones")

    def call(self, inputs):
        return keras.ops.matmul(inputs, self.kernel)

    def get_config(self):
        return {**super().get_config(), "units": self.units}


class ForgetfulLayer(ScaleLayer):
    """Forgets `units` in its config: the helper must catch it."""

    def get_config(self):
        config = super().get_config()
        config.pop("units")
        return config


class RunLayerTestTest(TestCase):
    def test_passes_on_a_correct_layer(self):
        output = self.run_layer_test(
            ScaleLayer,
            init_kwargs={"units": 4},
            input_shape=(2, 5),
            expected_output_shape=(2, 4),
            expected_output_dtype="float32",
            expected_num_trainable_weights=1,
            expected_num_non_trainable_weights=0,
        )
        self.assertEqual(tuple(output.shape), (2, 4))

    def test_core_keras_layer_without_weights(self):
        self.run_layer_test(
            keras.layers.LeakyReLU,
            init_kwargs={"negative_slope": 0.2},
            input_shape=(2, 3),
            expected_output_shape=(2, 3),
        )

    def test_catches_wrong_output_shape(self):
        with pytest.raises(AssertionError, match="Output shapes differ"):
            self.run_layer_test(
                ScaleLayer, init_kwargs={"units": 4}, input_shape=(2, 5), expected_output_shape=(2, 3)
            )

    def test_catches_missing_config_key(self):
        with pytest.raises(AssertionError, match="misses `units`"):
            self.run_layer_test(ForgetfulLayer, init_kwargs={"units": 4}, input_shape=(2, 5))

    def test_requires_some_input(self):
        with pytest.raises(ValueError, match="Received neither"):
            self.run_layer_test(ScaleLayer, init_kwargs={})


class RunModelTestTest(TestCase):
    def test_functional_model_with_two_outputs(self):
        inputs = keras.Input((6,))
        hidden = keras.layers.Dense(8, activation="relu")(inputs)
        model = keras.Model(inputs, [keras.layers.Dense(3)(hidden), keras.layers.Dense(1)(hidden)])
        x = np.random.default_rng(0).normal(size=(4, 6)).astype("float32")
        self.run_model_test(model, x, expected_output_shape=[(4, 3), (4, 1)])

    def test_assert_not_all_close(self):
        self.assertNotAllClose(np.zeros(3), np.ones(3))
        with pytest.raises(AssertionError):
            self.assertNotAllClose(np.zeros(3), np.zeros(3))
