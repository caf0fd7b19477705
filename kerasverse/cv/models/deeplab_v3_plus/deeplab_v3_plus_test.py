import keras
import numpy as np
import pytest

from kerasverse.cv.models.deeplab_v3_plus.deeplab_v3_plus import DeepLabV3Plus
from kerasverse.cv.models.deeplab_v3_plus.spatial_pyramid_pooling import (
    SpatialPyramidPooling,
)
from kerasverse.cv.models.resnet.resnet_backbone import ResNetBackbone
from kerasverse.cv.models.test_utils import TINY_RESNET
from kerasverse.cv.models.test_utils import random_images
from kerasverse.testing import TestCase


def _model(**kwargs):
    return DeepLabV3Plus(
        ResNetBackbone(**TINY_RESNET), num_classes=2, projection_filters=4, spatial_pyramid_filters=8,
        dilation_rates=[2, 4], **kwargs,
    )


class DeepLabV3PlusTest(TestCase):
    def test_spatial_pyramid_pooling(self):
        self.run_layer_test(
            SpatialPyramidPooling, {"dilation_rates": [2, 3], "num_channels": 4},
            input_shape=(2, 8, 8, 3), expected_output_shape=(2, 8, 8, 4), run_training_check=False,
        )

    def test_model(self):
        self.run_model_test(_model(activation="softmax"), random_images(2, 32), expected_output_shape=(2, 32, 32, 2))

    def test_learns_a_mask_and_round_trips_preset(self):
        rng = np.random.default_rng(1)
        images = rng.uniform(0, 0.3, (16, 32, 32, 3)).astype("float32")
        masks = np.zeros((16, 32, 32), "int32")
        for image, mask in zip(images, masks):  # Segment one bright rectangle per image.
            (y, x), (h, w) = rng.integers(0, 12, 2), rng.integers(14, 20, 2)
            image[y : y + h, x : x + w] += 0.6
            mask[y : y + h, x : x + w] = 1
        majority = max(masks.mean(), 1 - masks.mean())
        model = _model()
        model.compile(
            optimizer=keras.optimizers.Adam(1e-2),
            loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
            metrics=["accuracy"],
        )
        history = model.fit(images, masks, batch_size=8, epochs=8, verbose=0)
        self.assertGreater(history.history["accuracy"][-1], majority + 0.1)
        preset = self.get_temp_dir()
        model.save_to_preset(preset)
        restored = DeepLabV3Plus.from_preset(preset)
        self.assertAllClose(restored.predict(images[:2], verbose=0), model.predict(images[:2], verbose=0), atol=1e-4)

    def test_bad_arguments(self):
        inputs = keras.Input((8,))
        with pytest.raises(ValueError, match="pyramid_outputs\\['P2'\\]"):
            DeepLabV3Plus(keras.Model(inputs, inputs), num_classes=2)
        with pytest.raises(ValueError, match="Received: num_classes=0"):
            DeepLabV3Plus(ResNetBackbone(**TINY_RESNET), num_classes=0)
