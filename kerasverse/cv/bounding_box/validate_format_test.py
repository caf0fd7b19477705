import numpy as np
import pytest

from kerasverse.cv import bounding_box
from kerasverse.testing import TestCase


class ValidateFormatTest(TestCase):
    def test_structure(self):
        info = bounding_box.validate_format({"boxes": np.zeros((3, 4)), "classes": np.zeros(3)})
        self.assertEqual(info, {"ragged": False, "is_batched": False})
        info = bounding_box.validate_format({"boxes": [np.zeros((3, 4))], "classes": [np.zeros(3)]})
        self.assertEqual(info, {"ragged": True, "is_batched": True})
        with pytest.raises(ValueError, match=r"`y_true\['classes'\]` must have the leading shape"):
            bounding_box.validate_format({"boxes": np.zeros((2, 3, 4)), "classes": np.zeros((2, 4))}, "y_true")
        with pytest.raises(ValueError, match="must end in a dimension of 4"):
            bounding_box.validate_format({"boxes": np.zeros((2, 5)), "classes": np.zeros(2)})

    def test_inverted_boxes_are_rejected(self):
        data = {"boxes": np.array([[10, 0, 5, 5], [-1, -1, -1, -1.0]]), "classes": np.array([1, -1])}
        with pytest.raises(ValueError, match="x2 < x1 or y2 < y1"):
            bounding_box.validate_format(data, bounding_box_format="xyxy")
        # The same numbers are fine as xywh (positive width and height) and padding is not checked.
        bounding_box.validate_format(data, bounding_box_format="xywh")

    def test_class_ids_outside_num_classes(self):
        data = {"boxes": np.zeros((1, 2, 4)), "classes": np.array([[3, -1]])}
        bounding_box.validate_format(data, num_classes=4)
        with pytest.raises(ValueError, match=r"ids outside \[0, 3\).*Received: \[3\]"):
            bounding_box.validate_format(data, num_classes=3)
