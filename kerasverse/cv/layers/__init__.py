"""kerasverse.cv.layers: augmentation and detection layers."""

from kerasverse.cv.layers.anchor_generator import AnchorGenerator
from kerasverse.cv.layers.box_matcher import BoxMatcher
from kerasverse.cv.layers.non_max_suppression import NonMaxSuppression

__all__ = ["AnchorGenerator", "BoxMatcher", "NonMaxSuppression"]
