import keras
import numpy as np
import pytest

from kerasverse.cv.models.csp_darknet.csp_darknet_backbone import CSPDarkNetBackbone
from kerasverse.cv.models.image_classifier import ImageClassifier
from kerasverse.cv.models.resnet.resnet_backbone import ResNetBackbone
from kerasverse.cv.models.test_utils import TINY_CSP_DARKNET
from kerasverse.cv.models.test_utils import TINY_RESNET
from kerasverse.cv.models.test_utils import random_images
from kerasverse.testing import TestCase


def _quadrant_data(num_images=64, size=16, seed=0):
    """A bright square in one of 4 quadrants: the label is the quadrant."""
    rng = np.random.default_rng(seed)
    images = rng.uniform(0, 0.2, (num_images, size, size, 3)).astype("float32")
    labels = rng.integers(0, 4, num_images)
    half = size // 2
    for image, label in zip(images, labels):
        row, col = divmod(int(label), 2)
        image[row * half : (row + 1) * half, col * half : (col + 1) * half] += 0.8
    return images, labels


class ImageClassifierTest(TestCase):
    def test_model(self):
        classifier = ImageClassifier(ResNetBackbone(**TINY_RESNET), num_classes=3, activation="softmax")
        output = self.run_model_test(classifier, random_images(2, 32), expected_output_shape=(2, 3))
        self.assertAllClose(np.sum(keras.ops.convert_to_numpy(output), axis=-1), np.ones(2), atol=1e-5)

    def test_learns_quadrants(self):
        images, labels = _quadrant_data()
        classifier = ImageClassifier(CSPDarkNetBackbone(**TINY_CSP_DARKNET), num_classes=4, pooling="max")
        classifier.compile(
            optimizer=keras.optimizers.Adam(0.01),
            loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
            metrics=["accuracy"],
        )
        history = classifier.fit(images, labels, batch_size=16, epochs=12, verbose=0)
        self.assertGreater(history.history["accuracy"][-1], 0.9)

    def test_preset_round_trip(self):
        classifier = ImageClassifier(ResNetBackbone(**TINY_RESNET), num_classes=5, dropout=0.1)
        preset = self.get_temp_dir()
        classifier.save_to_preset(preset)
        restored = ImageClassifier.from_preset(preset)
        self.assertEqual((restored.num_classes, restored.dropout), (5, 0.1))
        images = random_images(2, 32)
        self.assertAllClose(restored.predict(images, verbose=0), classifier.predict(images, verbose=0), atol=1e-5)
        classifier.backbone.save_to_preset(backbone_only := self.get_temp_dir())
        new_head = ImageClassifier.from_preset(backbone_only, num_classes=7)
        self.assertEqual(new_head.output.shape[-1], 7)
        self.assertAllClose(new_head.backbone(images), classifier.backbone(images))

    def test_bad_arguments(self):
        backbone = ResNetBackbone(**TINY_RESNET)
        with pytest.raises(ValueError, match="Received: pooling='mean'"):
            ImageClassifier(backbone, num_classes=2, pooling="mean")
        with pytest.raises(ValueError, match="Received: num_classes=0"):
            ImageClassifier(backbone, num_classes=0)
