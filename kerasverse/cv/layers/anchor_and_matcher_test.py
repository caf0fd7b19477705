import numpy as np
import pytest

from kerasverse.cv import bounding_box
from kerasverse.cv.layers import AnchorGenerator
from kerasverse.cv.layers import BoxMatcher
from kerasverse.testing import TestCase


class AnchorGeneratorTest(TestCase):
    def test_counts_sizes_and_format(self):
        gen = AnchorGenerator(
            "center_xywh", sizes=[32.0, 64.0], scales=[1.0, 2.0], aspect_ratios=[0.5, 1.0, 2.0], strides=[8, 16]
        )
        anchors = gen(image=np.zeros((64, 40, 3)))
        self.assertEqual(sorted(anchors), [0, 1])
        level0 = np.asarray(anchors[0])
        self.assertEqual(level0.shape, (8 * 5 * 6, 4))
        self.assertEqual(np.asarray(anchors[1]).shape, (4 * 3 * 6, 4))
        # first cell: centre (4, 4); anchor k = scale-major: (1, .5), (1, 1), (1, 2), (2, .5) ...
        self.assertAllClose(level0[0], np.array([4, 4, 32 * np.sqrt(0.5), 32 / np.sqrt(0.5)]), atol=1e-4)
        self.assertAllClose(level0[4], np.array([4, 4, 64, 64]), atol=1e-4)
        # second cell moves along x
        self.assertAllClose(level0[6, :2], np.array([12, 4]))
        # widths / heights equal the aspect ratios
        self.assertAllClose(level0[:3, 2] / level0[:3, 3], np.array([0.5, 1, 2]), atol=1e-5)

    def test_clip_and_dict_levels(self):
        gen = AnchorGenerator("xyxy", sizes={"P3": 64.0}, scales=[1.0], aspect_ratios=[1.0],
                              strides={"P3": 16}, clip_boxes=True)
        anchors = np.asarray(gen(image_shape=(32, 32, 3))["P3"])
        self.assertGreaterEqual(anchors.min(), 0.0)
        self.assertLessEqual(anchors.max(), 32.0)
        restored = AnchorGenerator.from_config(gen.get_config())
        self.assertAllClose(restored(image_shape=(32, 32))["P3"], anchors)

    def test_bad_input(self):
        with pytest.raises(ValueError, match="same length"):
            AnchorGenerator("xyxy", sizes=[1, 2], scales=[1], aspect_ratios=[1], strides=[8])
        with pytest.raises(ValueError, match="Received neither"):
            AnchorGenerator("xyxy", sizes=[1], scales=[1], aspect_ratios=[1], strides=[8])()


class BoxMatcherTest(TestCase):
    def test_thresholds_and_forced_match(self):
        iou = np.array([[0.1, 0.2, 0.0], [0.5, 0.9, 0.1], [0.3, 0.65, 0.2]], "float32")
        matcher = BoxMatcher([0.4, 0.6], [0, -1, 1])
        columns, values = matcher(iou)
        self.assertAllEqual(columns, np.array([1, 1, 1]))
        self.assertAllEqual(values, np.array([0, 1, 1]))
        forced = BoxMatcher([0.4, 0.6], [0, -1, 1], force_match_for_each_col=True)
        columns, values = forced(iou[None])
        # column 0's best row is 1 (overridden by column? no: row 1 is best for cols 0 and 1 -> last wins by argmax)
        self.assertEqual(np.asarray(columns).shape, (1, 3))
        # column 2's best row is row 2 -> forced positive on column 2
        self.assertEqual(int(np.asarray(columns)[0, 2]), 2)
        self.assertEqual(int(np.asarray(values)[0, 2]), 1)

    def test_matches_iou_of_anchors_and_boxes(self):
        anchors = np.array([[0, 0, 10, 10], [20, 20, 30, 30], [50, 50, 60, 60]], "float32")
        boxes = np.array([[1, 1, 10, 10], [21, 20, 31, 30]], "float32")
        iou = bounding_box.compute_iou(anchors, boxes, "xyxy")
        columns, values = BoxMatcher([0.5], [0, 1])(iou)
        self.assertAllEqual(columns[:2], np.array([0, 1]))
        self.assertAllEqual(values, np.array([1, 1, 0]))

    def test_no_columns(self):
        columns, values = BoxMatcher([0.5], [0, 1])(np.zeros((2, 4, 0), "float32"))
        self.assertAllEqual(values, -np.ones((2, 4)))

    def test_layer_contract(self):
        self.run_layer_test(BoxMatcher, {"thresholds": [0.3, 0.7], "match_values": [-1, 0, 1]},
                            input_shape=(2, 5, 3), expected_output_shape=((2, 5), (2, 5)))

    def test_bad_arguments(self):
        with pytest.raises(ValueError, match="must be sorted"):
            BoxMatcher([0.7, 0.3], [0, 1, 2])
        with pytest.raises(ValueError, match="one more entry"):
            BoxMatcher([0.3], [0, 1, 2])
