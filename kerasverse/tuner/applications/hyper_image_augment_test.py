import os

import keras
import numpy as np
import pytest

import kerasverse.tuner as kt
from kerasverse.testing.test_case import TestCase
from kerasverse.tuner.applications import HyperImageAugment
from kerasverse.tuner.applications import RandomTransformChoice


def _images():
    return np.random.default_rng(0).random((4, 16, 16, 3)).astype("float32")


class RandomTransformChoiceTest(TestCase):
    def test_layer(self):
        self.run_layer_test(
            RandomTransformChoice,
            {"transforms": [keras.layers.RandomRotation(0.2), keras.layers.RandomContrast(0.3)],
             "seed": 1},
            input_data=_images(),
            expected_output_shape=(4, 16, 16, 3),
            expected_num_trainable_weights=0,
            run_jit_check=False,  # Random in training, identity at inference.
            run_saving_check=False,
        )

    def test_each_image_gets_one_of_the_transforms(self):
        images = _images()
        # Two deterministic "transforms": +1 and -1.
        layer = RandomTransformChoice(
            [keras.layers.Lambda(lambda x: x + 1.0), keras.layers.Lambda(lambda x: x - 1.0)],
            seed=3,
        )
        output = keras.ops.convert_to_numpy(layer(images, training=True))
        shifts = np.round((output - images).mean(axis=(1, 2, 3)), 5)
        assert set(shifts) <= {1.0, -1.0}
        np.testing.assert_allclose(output - images, np.broadcast_to(shifts[:, None, None, None], images.shape), atol=1e-5)
        np.testing.assert_array_equal(
            keras.ops.convert_to_numpy(layer(images, training=False)), images
        )

    def test_empty_transforms_raise(self):
        with pytest.raises(ValueError, match="non-empty list of augmentation layers"):
            RandomTransformChoice([])


class HyperImageAugmentTest(TestCase):
    @pytest.mark.slow
    def test_rand_augment_space_and_shapes(self):
        hypermodel = HyperImageAugment(input_shape=(16, 16, 3), contrast=None, augment_layers=2)
        hp = kt.HyperParameters()
        hp.Int("augment_layers", 1, 2)
        hp.values["augment_layers"] = 2
        model = hypermodel.build(hp)
        assert set(hp.values) == {"augment_layers", "factor_rotate", "factor_translate_x",
                                  "factor_translate_y"}
        assert sum(isinstance(layer, RandomTransformChoice) for layer in model.layers) == 2
        images = _images()
        np.testing.assert_array_equal(
            keras.ops.convert_to_numpy(model(images, training=False)), images
        )
        assert tuple(model(images, training=True).shape) == images.shape

    def test_fixed_mode_drops_zero_factors(self):
        hypermodel = HyperImageAugment(input_shape=(16, 16, 3), augment_layers=0,
                                       rotate=[0.1, 0.3], translate_y=None)
        hp = kt.HyperParameters()
        # The defaults are the lower bounds: translate_x and contrast are off.
        model = hypermodel.build(hp)
        assert [type(layer).__name__ for layer in model.layers[1:]] == ["RandomRotation"]
        assert hp.get("factor_rotate") == 0.1
        hp.values["factor_contrast"] = 0.2
        model = hypermodel.build(hp)
        names = [type(layer).__name__ for layer in model.layers[1:]]
        assert names == ["RandomRotation", "RandomContrast"]
        saved = os.path.join(self.get_temp_dir(), "augment.keras")
        model.save(saved)
        revived = keras.saving.load_model(saved)
        assert [type(layer).__name__ for layer in revived.layers[1:]] == names

    def test_bad_arguments_raise(self):
        with pytest.raises(ValueError, match="Received: input_shape=None, input_tensor=None"):
            HyperImageAugment()
        with pytest.raises(ValueError, match="must lie in \\[0, 1\\].*Received: rotate=1.5"):
            HyperImageAugment(input_shape=(8, 8, 3), rotate=1.5)
        with pytest.raises(ValueError, match="Received: augment_layers=\\[3, 1\\]"):
            HyperImageAugment(input_shape=(8, 8, 3), augment_layers=[3, 1])

    @pytest.mark.slow
    def test_tiny_search_in_front_of_a_classifier(self):
        augment = HyperImageAugment(input_shape=(8, 8, 3))

        def build(hp):
            inputs = keras.Input((8, 8, 3))
            x = augment.build(hp)(inputs)
            outputs = keras.layers.Dense(2, activation="softmax")(keras.layers.Flatten()(x))
            model = keras.Model(inputs, outputs)
            model.compile("adam", "categorical_crossentropy", metrics=["accuracy"])
            return model

        x = np.random.default_rng(0).random((8, 8, 8, 3)).astype("float32")
        y = keras.utils.to_categorical(np.arange(8) % 2, 2)
        tuner = kt.RandomSearch(build, "loss", max_trials=2, seed=0, verbose=0,
                                directory=self.get_temp_dir(), project_name="aug")
        tuner.search(x, y, epochs=1, verbose=0)
        trials = tuner.oracle.trials.values()
        assert [t.status for t in trials] == ["COMPLETED", "COMPLETED"]
        assert all("factor_rotate" in t.hyperparameters.values for t in trials)
