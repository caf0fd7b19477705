import numpy as np
import pytest

from kerasverse.cv import bounding_box
from kerasverse.testing import TestCase


class DenseTest(TestCase):
    def test_round_trip_with_empty_image(self):
        ragged = {
            "boxes": [np.arange(8, dtype="float32").reshape(2, 4), np.zeros((0, 4)), np.ones((1, 4))],
            "classes": [np.array([3, 0]), np.zeros((0,), "int64"), np.array([7])],
        }
        dense = bounding_box.to_dense(ragged)
        self.assertEqual(dense["boxes"].shape, (3, 2, 4))
        self.assertAllEqual(dense["classes"], np.array([[3, 0], [-1, -1], [7, -1]]))
        self.assertAllEqual(dense["boxes"][1], -np.ones((2, 4)))
        back = bounding_box.to_ragged(dense)
        for a, b in zip(back["boxes"], ragged["boxes"]):
            self.assertAllClose(a, b)
        self.assertEqual([len(c) for c in back["classes"]], [2, 0, 1])

    def test_max_boxes_truncates_and_pads(self):
        dense = bounding_box.to_dense({"boxes": np.ones((1, 3, 4)), "classes": np.array([[1, 2, 3]])}, max_boxes=2)
        self.assertAllEqual(dense["classes"], np.array([[1, 2]]))
        dense = bounding_box.to_dense({"boxes": np.ones((1, 3, 4)), "classes": np.array([[1, 2, 3]])}, max_boxes=4)
        self.assertAllEqual(dense["classes"], np.array([[1, 2, 3, -1]]))

    def test_mask_invalid_detections(self):
        out = bounding_box.mask_invalid_detections({
            "boxes": np.ones((2, 3, 4), "float32"),
            "classes": np.ones((2, 3), "float32"),
            "confidence": np.ones((2, 3), "float32"),
            "num_detections": np.array([0, 2]),
        })
        self.assertAllEqual(out["classes"], np.array([[-1, -1, -1], [1, 1, -1]]))
        self.assertAllEqual(out["boxes"][1, 2], np.array([-1, -1, -1, -1]))

    def test_bad_structure(self):
        with pytest.raises(ValueError, match="keys 'boxes' and 'classes'. Received: \\['boxes', 'labels'\\]"):
            bounding_box.to_dense({"boxes": [], "labels": []})
        with pytest.raises(ValueError, match="one entry per image"):
            bounding_box.to_dense({"boxes": [np.ones((1, 4))], "classes": []})
