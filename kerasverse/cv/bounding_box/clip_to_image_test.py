import numpy as np
import pytest

from kerasverse.cv import bounding_box
from kerasverse.testing import TestCase


class ClipToImageTest(TestCase):
    def test_clips_and_marks_empty_boxes_as_padding(self):
        data = {
            "boxes": np.array([[[-5, 10, 50, 40], [120, 0, 150, 9], [30, 30, 10, 40], [1, 1, 2, 2]]], "float32"),
            "classes": np.array([[1, 2, 3, -1]], "float32"),
        }
        out = bounding_box.clip_to_image(data, "xyxy", image_shape=(32, 100))
        self.assertAllClose(out["boxes"][0, 0], np.array([0, 10, 50, 32]))
        # outside, x2 < x1, already padding -> -1
        self.assertAllClose(out["boxes"][0, 1:], -np.ones((3, 4)))
        self.assertAllClose(out["classes"], np.array([[1, -1, -1, -1]]))

    def test_relative_format_needs_no_size(self):
        data = {"boxes": np.array([[0.5, 0.5, 1.5, 0.2]], "float32"), "classes": np.array([0.0])}
        out = bounding_box.clip_to_image(data, "rel_xywh")
        self.assertAllClose(out["boxes"], np.array([[0.5, 0.5, 0.5, 0.2]]), atol=1e-6)

    def test_absolute_format_needs_size(self):
        with pytest.raises(ValueError, match="needs the image size"):
            bounding_box.clip_to_image({"boxes": np.ones((1, 4)), "classes": np.ones(1)}, "xyxy")
