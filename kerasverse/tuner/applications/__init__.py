"""Ready-made hypermodels for images, as in `keras_tuner.applications`."""

from kerasverse.tuner.applications.hyper_efficientnet import HyperEfficientNet
from kerasverse.tuner.applications.hyper_image_augment import HyperImageAugment
from kerasverse.tuner.applications.hyper_image_augment import RandomTransformChoice
from kerasverse.tuner.applications.hyper_resnet import HyperResNet
from kerasverse.tuner.applications.hyper_xception import HyperXception

__all__ = [
    "HyperEfficientNet",
    "HyperImageAugment",
    "HyperResNet",
    "HyperXception",
    "RandomTransformChoice",
]
