import pytest

from kerasverse.cv.models.resnet.resnet_backbone import ResNetBackbone
from kerasverse.cv.models.resnet.resnet_presets import BACKBONE_PRESETS
from kerasverse.cv.models.test_utils import TINY_RESNET
from kerasverse.cv.models.test_utils import random_images
from kerasverse.testing import TestCase


class ResNetBackboneTest(TestCase):
    def test_v1_basic_block(self):
        backbone = ResNetBackbone(**TINY_RESNET)
        self.run_model_test(backbone, random_images(2, 32), expected_output_shape=(2, 1, 1, 8))
        self.assertEqual(sorted(backbone.pyramid_outputs), ["P2", "P3", "P4", "P5"])
        self.assertEqual(tuple(backbone.pyramid_outputs["P3"].shape[1:]), (None, None, 8))

    def test_v2_bottleneck(self):
        config = {**TINY_RESNET, "block_type": "bottleneck_block", "use_pre_activation": True}
        backbone = ResNetBackbone(**config)
        self.run_model_test(backbone, random_images(2, 32), expected_output_shape=(2, 1, 1, 32), run_training_check=False)

    def test_standard_parameter_counts(self):
        # Keras Applications' ResNet50 (include_top=False) has 23,587,712
        # parameters, 53,120 of them conv biases that torchvision/our
        # bias-free convolutions (followed by batch norm) do not have.
        resnet50 = ResNetBackbone(**BACKBONE_PRESETS["resnet50"])
        self.assertEqual(resnet50.count_params(), 23_587_712 - 26_560)
        # torchvision resnet18 without fc: 11,689,512 - 513,000 parameters,
        # plus the 9,600 running mean/variance entries torchvision keeps as buffers.
        resnet18 = ResNetBackbone(**BACKBONE_PRESETS["resnet18"])
        self.assertEqual(resnet18.count_params(), 11_689_512 - 513_000 + 9_600)

    def test_named_preset_and_directory_preset(self):
        backbone = ResNetBackbone.from_preset("resnet_tiny", image_shape=(32, 32, 3))
        preset = self.get_temp_dir()
        backbone.save_to_preset(preset)
        restored = ResNetBackbone.from_preset(preset)
        images = random_images(1, 32)
        self.assertAllClose(restored(images), backbone(images))

    def test_bad_arguments(self):
        with pytest.raises(ValueError, match="Received: block_type='wide'"):
            ResNetBackbone(**{**TINY_RESNET, "block_type": "wide"})
        with pytest.raises(ValueError, match="one entry per stack"):
            ResNetBackbone(**{**TINY_RESNET, "stackwise_num_blocks": [1]})
        with pytest.raises(ValueError, match="Unknown preset 'resnet9000'"):
            ResNetBackbone.from_preset("resnet9000")
