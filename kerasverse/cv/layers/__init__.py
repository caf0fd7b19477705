"""kerasverse.cv.layers: augmentation and detection layers (keras_cv names).

Ours (bounding-box aware where geometry changes, batched, seeded, jit-compatible):
`Mosaic`, `JitteredResize`, `RandomCropAndResize`, `GridMask`, `ChannelShuffle`,
`RandomCutout`, `RandAugment`; detection: `AnchorGenerator`, `BoxMatcher`,
`NonMaxSuppression`. keras_cv names of core Keras layers (`RandomFlip`, `MixUp`,
`Posterization`, `Grayscale`, ...) are thin aliases, see `aliases.py` for the table.
"""

from kerasverse.cv.layers.aliases import AugMix  # noqa: F401
from kerasverse.cv.layers.aliases import AutoContrast  # noqa: F401
from kerasverse.cv.layers.aliases import CutMix  # noqa: F401
from kerasverse.cv.layers.aliases import Equalization  # noqa: F401
from kerasverse.cv.layers.aliases import Grayscale  # noqa: F401
from kerasverse.cv.layers.aliases import MixUp  # noqa: F401
from kerasverse.cv.layers.aliases import Posterization  # noqa: F401
from kerasverse.cv.layers.aliases import RandomBrightness  # noqa: F401
from kerasverse.cv.layers.aliases import RandomColorDegeneration  # noqa: F401
from kerasverse.cv.layers.aliases import RandomColorJitter  # noqa: F401
from kerasverse.cv.layers.aliases import RandomContrast  # noqa: F401
from kerasverse.cv.layers.aliases import RandomCrop  # noqa: F401
from kerasverse.cv.layers.aliases import RandomFlip  # noqa: F401
from kerasverse.cv.layers.aliases import RandomGaussianBlur  # noqa: F401
from kerasverse.cv.layers.aliases import RandomHue  # noqa: F401
from kerasverse.cv.layers.aliases import RandomRotation  # noqa: F401
from kerasverse.cv.layers.aliases import RandomSaturation  # noqa: F401
from kerasverse.cv.layers.aliases import RandomSharpness  # noqa: F401
from kerasverse.cv.layers.aliases import RandomShear  # noqa: F401
from kerasverse.cv.layers.aliases import RandomTranslation  # noqa: F401
from kerasverse.cv.layers.aliases import RandomZoom  # noqa: F401
from kerasverse.cv.layers.aliases import Rescaling  # noqa: F401
from kerasverse.cv.layers.aliases import Resizing  # noqa: F401
from kerasverse.cv.layers.aliases import Solarization  # noqa: F401
from kerasverse.cv.layers.anchor_generator import AnchorGenerator
from kerasverse.cv.layers.base_augmentation import BaseAugmentationLayer
from kerasverse.cv.layers.box_matcher import BoxMatcher
from kerasverse.cv.layers.channel_shuffle import ChannelShuffle
from kerasverse.cv.layers.grid_mask import GridMask
from kerasverse.cv.layers.jittered_resize import JitteredResize
from kerasverse.cv.layers.mosaic import Mosaic
from kerasverse.cv.layers.non_max_suppression import NonMaxSuppression
from kerasverse.cv.layers.rand_augment import RandAugment
from kerasverse.cv.layers.random_augmentation_pipeline import RandomAugmentationPipeline
from kerasverse.cv.layers.random_crop_and_resize import RandomCropAndResize
from kerasverse.cv.layers.random_cutout import RandomCutout

__all__ = [
    "AnchorGenerator",
    "AugMix",
    "AutoContrast",
    "BaseAugmentationLayer",
    "BoxMatcher",
    "ChannelShuffle",
    "CutMix",
    "Equalization",
    "Grayscale",
    "GridMask",
    "JitteredResize",
    "MixUp",
    "Mosaic",
    "NonMaxSuppression",
    "Posterization",
    "RandAugment",
    "RandomAugmentationPipeline",
    "RandomBrightness",
    "RandomColorDegeneration",
    "RandomColorJitter",
    "RandomContrast",
    "RandomCrop",
    "RandomCropAndResize",
    "RandomCutout",
    "RandomFlip",
    "RandomGaussianBlur",
    "RandomHue",
    "RandomRotation",
    "RandomSaturation",
    "RandomSharpness",
    "RandomShear",
    "RandomTranslation",
    "RandomZoom",
    "Rescaling",
    "Resizing",
    "Solarization",
]
