import pytest

from kerasverse.cv.models.csp_darknet.csp_darknet_backbone import CSPDarkNetBackbone
from kerasverse.cv.models.test_utils import TINY_CSP_DARKNET
from kerasverse.cv.models.test_utils import random_images
from kerasverse.testing import TestCase


class CSPDarkNetBackboneTest(TestCase):
    def test_tiny(self):
        backbone = CSPDarkNetBackbone(**TINY_CSP_DARKNET)
        self.run_model_test(backbone, random_images(2, 64), expected_output_shape=(2, 2, 2, 8))
        shapes = {k: tuple(v.shape[1:]) for k, v in backbone.pyramid_outputs.items()}
        self.assertEqual(shapes, {"P2": (None, None, 4), "P3": (None, None, 8), "P4": (None, None, 8), "P5": (None, None, 8)})

    def test_yolo_v8_s_parameter_count(self):
        backbone = CSPDarkNetBackbone.from_preset("yolo_v8_s_backbone")
        self.assertEqual(backbone.count_params(), _yolo_v8_backbone_params([64, 128, 256, 512], [1, 2, 2, 1]))

    def test_preset_round_trip(self):
        backbone = CSPDarkNetBackbone(**TINY_CSP_DARKNET, image_shape=(64, 64, 3))
        preset = self.get_temp_dir()
        backbone.save_to_preset(preset)
        restored = CSPDarkNetBackbone.from_preset(preset)
        images = random_images(1, 64)
        self.assertAllClose(restored(images), backbone(images))

    def test_bad_arguments(self):
        with pytest.raises(ValueError, match="one entry per stage"):
            CSPDarkNetBackbone(stackwise_channels=[8, 16], stackwise_depth=[1])


def _yolo_v8_backbone_params(channels, depths):
    """Parameter count from the YOLOv8 paper/ultralytics yaml description."""

    def conv(c_in, c_out, k):  # Conv2D without bias + BN (4 vectors).
        return c_in * c_out * k * k + 4 * c_out

    total = conv(3, channels[0] // 2, 3)
    previous = channels[0] // 2
    for c, depth in zip(channels, depths):
        hidden = c // 2
        total += conv(previous, c, 3) + conv(c, 2 * hidden, 1)
        total += depth * 2 * conv(hidden, hidden, 3) + conv((2 + depth) * hidden, c, 1)
        previous = c
    return total + conv(previous, previous // 2, 1) + conv(2 * previous, previous, 1)
