import keras
import numpy as np
import pytest

from kerasverse.cv import layers
from kerasverse.testing import TestCase


@keras.saving.register_keras_serializable(package="kerasverse_test")
class AddConstant(keras.layers.Layer):
    """Adds `value` to the images: shows which layers an image went through."""

    def __init__(self, value, **kwargs):
        super().__init__(**kwargs)
        self.value = value

    def call(self, inputs, training=None):
        if isinstance(inputs, dict):
            return {**inputs, "images": inputs["images"] + self.value}
        return inputs + self.value

    def get_config(self):
        return {**super().get_config(), "value": self.value}


class RandomAugmentationPipelineTest(TestCase):
    def setUp(self):
        super().setUp()
        self.images = np.zeros((400, 2, 2, 1), "float32")

    def added(self, pipeline, images=None):
        out = np.asarray(keras.ops.convert_to_numpy(pipeline(self.images if images is None else images)))
        return out[:, 0, 0, 0]

    def test_each_image_draws_its_layers_with_replacement(self):
        # keras_cv: per image and round, one layer drawn uniformly (rounds independent).
        pipeline = layers.RandomAugmentationPipeline([AddConstant(1.0), AddConstant(10.0)], augmentations_per_image=2,
                                                     seed=0)
        added = self.added(pipeline)
        values, counts = np.unique(added, return_counts=True)
        self.assertEqual(values.tolist(), [2.0, 11.0, 20.0])
        np.testing.assert_allclose(counts / len(added), [0.25, 0.5, 0.25], atol=0.08)
        # Constant within an image: the choice is per image, not per pixel.
        out = np.asarray(keras.ops.convert_to_numpy(pipeline(self.images)))
        self.assertTrue((out == out[:, :1, :1, :1]).all())

    def test_rate(self):
        pipeline = layers.RandomAugmentationPipeline([AddConstant(1.0)], augmentations_per_image=3, rate=0.5, seed=1)
        added = self.added(pipeline)
        # Each round applies with probability 0.5: 0..3 additions, binomial(3, 0.5).
        np.testing.assert_allclose([np.mean(added == k) for k in range(4)], [0.125, 0.375, 0.375, 0.125], atol=0.08)
        self.assertAllClose(self.added(layers.RandomAugmentationPipeline([AddConstant(1.0)], 3, rate=0.0)), 0.0)
        self.assertAllClose(self.added(layers.RandomAugmentationPipeline([], 3)), 0.0)
        # Not training (e.g. in predict): unchanged.
        self.assertAllClose(pipeline(self.images, training=False), self.images)

    def test_dicts_and_keras_layers(self):
        rng = np.random.default_rng(0)
        images = rng.uniform(0, 255, (8, 16, 16, 3)).astype("float32")
        labels = np.eye(2, dtype="float32")[rng.integers(0, 2, 8)]
        policy = layers.RandAugment.get_standard_policy(value_range=(0, 255), magnitude=0.5, magnitude_stddev=0.1, seed=3)
        pipeline = layers.RandomAugmentationPipeline(policy, augmentations_per_image=2, seed=3)
        out = pipeline({"images": images, "labels": labels})
        self.assertEqual(tuple(out["images"].shape), images.shape)
        self.assertAllClose(out["labels"], labels)
        self.assertFalse(np.allclose(keras.ops.convert_to_numpy(out["images"]), images))

    def test_inside_fit(self):
        # Under JAX `fit` traces the pipeline: every layer runs on the batch, then a per-image selection.
        model = keras.Sequential([
            keras.Input((2, 2, 1)),
            layers.RandomAugmentationPipeline([AddConstant(1.0), AddConstant(10.0)], augmentations_per_image=1, seed=0),
            keras.layers.Flatten(),
            keras.layers.Dense(1),
        ])
        model.compile("sgd", "mse")
        history = model.fit(self.images[:32], np.zeros((32, 1)), epochs=1, verbose=0)
        self.assertTrue(np.isfinite(history.history["loss"][0]))

    def test_serialization(self):
        pipeline = layers.RandomAugmentationPipeline([AddConstant(1.0), AddConstant(10.0)], augmentations_per_image=2,
                                                     rate=0.7, auto_vectorize=True, seed=4)
        restored = layers.RandomAugmentationPipeline.from_config(pipeline.get_config())
        self.assertEqual([layer.value for layer in restored.layers], [1.0, 10.0])
        self.assertEqual((restored.augmentations_per_image, restored.rate, restored.auto_vectorize, restored.seed),
                         (2, 0.7, True, 4))

    def test_bad_input(self):
        with pytest.raises(TypeError, match=r"list of Keras layers. Received: layers\[1\]='flip'"):
            layers.RandomAugmentationPipeline([AddConstant(1.0), "flip"], 1)
        with pytest.raises(ValueError, match="Received: augmentations_per_image=-1"):
            layers.RandomAugmentationPipeline([AddConstant(1.0)], -1)
        with pytest.raises(ValueError, match="Received: rate=2"):
            layers.RandomAugmentationPipeline([AddConstant(1.0)], 1, rate=2)
        with pytest.raises(ValueError, match="must keep the image shape.*Resizing"):
            layers.RandomAugmentationPipeline([keras.layers.Resizing(4, 4)], 1)(np.zeros((2, 8, 8, 3), "float32"))


class GetStandardPolicyTest(TestCase):
    def test_matches_keras_cv_policy(self):
        # keras_cv 0.9's list, in its order, with its strengths for magnitude m.
        policy = layers.RandAugment.get_standard_policy(value_range=(0, 1), magnitude=0.4, magnitude_stddev=0.0, seed=1)
        self.assertEqual([type(layer).__name__ for layer in policy], [
            "AutoContrast", "Equalization", "Solarization", "RandomColorDegeneration", "RandomContrast",
            "RandomBrightness", "RandomShear", "RandomShear", "RandomTranslation", "RandomTranslation",
        ])
        solarize, color, contrast, brightness = policy[2], policy[3], policy[4], policy[5]
        self.assertAllClose(solarize.addition_factor, (110 * 0.4 / 255,) * 2)
        self.assertAllClose(solarize.threshold_factor, (0.6, 0.6))
        self.assertAllClose(color.factor, (0.4, 0.4))
        self.assertAllClose(contrast.factor, (0.4, 0.4))  # contrast in [1 - m, 1 + m]
        self.assertAllClose(brightness.factor, (-0.4, 0.4))
        self.assertAllClose(policy[6].x_factor, (0.4, 0.4))
        self.assertAllClose(policy[7].y_factor, (0.4, 0.4))
        self.assertAllClose((policy[8].width_factor, policy[8].height_factor), (0.4, 0.0))
        self.assertAllClose((policy[9].width_factor, policy[9].height_factor), (0.0, 0.4))
        self.assertEqual([tuple(layer.value_range) for layer in policy[:6]], [(0, 1)] * 6)
        # magnitude_stddev widens the range: same mean and stddev as keras_cv's normal draw.
        spread = layers.RandAugment.get_standard_policy((0, 255), 0.5, 0.1)[3].factor
        np.testing.assert_allclose(spread, (0.5 - 0.1 * np.sqrt(3), 0.5 + 0.1 * np.sqrt(3)))
        self.assertEqual(len(layers.RandAugment.get_standard_policy((0, 255), 0.5, 0.1, geometric=False)), 6)
        with pytest.raises(ValueError, match="Received: magnitude=2"):
            layers.RandAugment.get_standard_policy((0, 255), 2, 0.1)
