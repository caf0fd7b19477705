import numpy as np

from kerasverse.cv import layers
from kerasverse.cv.layers import rand_augment
from kerasverse.cv.layers.augmentation_testing import predict_twice
from kerasverse.testing import TestCase


class RandAugmentTest(TestCase):
    def setUp(self):
        super().setUp()
        self.images = np.random.default_rng(0).uniform(0, 255, (8, 16, 16, 3)).astype("float32")

    def test_value_range_is_respected(self):
        images01 = self.images / 255.0
        out = np.asarray(layers.RandAugment(value_range=(0, 1), augmentations_per_image=3, magnitude=1.0,
                                            seed=2)(images01))
        self.assertGreaterEqual(out.min(), 0.0)
        self.assertLessEqual(out.max(), 1.0 + 1e-6)

    def test_rate_zero_is_identity(self):
        out = layers.RandAugment(value_range=(0, 255), rate=0.0, seed=0)(self.images)
        self.assertAllClose(out, self.images, atol=1e-3)

    def test_each_op_changes_images_like_its_definition(self):
        x = self.images
        # solarize with magnitude 1: threshold 0 -> every pixel inverted.
        layer = layers.RandAugment(value_range=(0, 255), augmentations_per_image=1, magnitude=1.0,
                                   magnitude_stddev=0.0, rate=1.0, geometric=False, seed=0)
        layer.ops_names = ("solarize",)
        self.assertAllClose(layer(x), 255.0 - x, atol=1e-3)
        # auto-contrast stretches each channel to [0, 255].
        layer.ops_names = ("auto_contrast",)
        out = np.asarray(layer(x * 0.5 + 20))
        self.assertAllClose(out.min(axis=(1, 2)), np.zeros((8, 3)), atol=1e-3)
        self.assertAllClose(out.max(axis=(1, 2)), np.full((8, 3), 255.0), atol=1e-2)
        # equalize gives a flat histogram-like CDF: values spread across [0, 255].
        layer.ops_names = ("equalize",)
        out = np.asarray(layer(x * 0.2))
        self.assertGreater(out.max(), 250)
        # posterize with magnitude 1 keeps 4 bits: multiples of 16.
        layer.ops_names = ("posterize",)
        out = np.asarray(layer(x))
        self.assertAllClose(out % 16, np.zeros_like(out), atol=1e-3)

    def test_groups_only_touch_their_images(self):
        x = np.asarray(self.images)
        sevens = np.array([True, False, True, False, False, True, False, False])
        ones = np.array([False, False, False, True, False, False, False, True])
        seen = []

        def fill(value):
            def fn(images, index):
                seen.extend(np.asarray(index).tolist())
                return images * 0 + value
            return fn

        out = np.asarray(rand_augment._apply_groups(x, [(sevens, fill(7.0)), (ones, fill(1.0))]))
        self.assertEqual(sorted(seen), [0, 2, 3, 5, 7])
        self.assertTrue((out[sevens] == 7.0).all())
        self.assertTrue((out[ones] == 1.0).all())
        rest = ~(sevens | ones)
        self.assertAllClose(out[rest], x[rest])
        untouched = np.asarray(rand_augment._apply_groups(x, [(np.zeros(8, bool), fill(7.0))]))
        self.assertAllClose(untouched, x)

    def test_compiled_and_eager_calls_agree(self):
        # Under jit (JAX predict) the costly ops run in a loop over the chosen images and the
        # cheap ones on the whole batch; eagerly on gathered subsets. Same seed, same output.
        kwargs = {"value_range": (0, 255), "augmentations_per_image": 2, "magnitude": 0.8, "seed": 4}
        eager = np.asarray(layers.RandAugment(**kwargs)(self.images))
        compiled, _ = predict_twice(layers.RandAugment(**kwargs), self.images)
        self.assertAllClose(compiled, eager, atol=1e-3)
        self.assertGreater(np.abs(eager - self.images).max(), 10.0)
