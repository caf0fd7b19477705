import keras
import pytest

from kerasverse.cv.models.mobilenet_v3.mobilenet_v3_backbone import MobileNetV3Backbone
from kerasverse.cv.models.mobilenet_v3.mobilenet_v3_presets import BACKBONE_PRESETS
from kerasverse.cv.models.test_utils import random_images
from kerasverse.testing import TestCase


class MobileNetV3BackboneTest(TestCase):
    def test_tiny(self):
        backbone = MobileNetV3Backbone(**BACKBONE_PRESETS["mobilenet_v3_tiny"])
        self.run_model_test(backbone, random_images(2, 32), expected_output_shape=(2, 1, 1, 192))
        self.assertEqual(sorted(backbone.pyramid_outputs), ["P1", "P2", "P3", "P4", "P5"])

    def test_parameter_counts_match_keras_applications(self):
        for preset, application in (
            ("mobilenet_v3_small", keras.applications.MobileNetV3Small),
            ("mobilenet_v3_large", keras.applications.MobileNetV3Large),
        ):
            ours = MobileNetV3Backbone(**BACKBONE_PRESETS[preset], image_shape=(224, 224, 3))
            reference = application(
                input_shape=(224, 224, 3), include_top=False, weights=None, include_preprocessing=False
            )
            self.assertEqual(ours.count_params(), reference.count_params(), preset)
            self.assertEqual(ours.output.shape, reference.output.shape)

    def test_preset_round_trip(self):
        backbone = MobileNetV3Backbone.from_preset("mobilenet_v3_tiny", alpha=0.5)
        preset = self.get_temp_dir()
        backbone.save_to_preset(preset)
        restored = MobileNetV3Backbone.from_preset(preset)
        self.assertEqual(restored.alpha, 0.5)
        images = random_images(1, 32)
        self.assertAllClose(restored(images), backbone(images))

    def test_bad_arguments(self):
        config = dict(BACKBONE_PRESETS["mobilenet_v3_tiny"])
        with pytest.raises(ValueError, match="Received lengths"):
            MobileNetV3Backbone(**{**config, "stackwise_stride": [2]})
        with pytest.raises(ValueError, match="Received: 'gelu'"):
            MobileNetV3Backbone(**{**config, "stackwise_activation": ["gelu"] * 4})
