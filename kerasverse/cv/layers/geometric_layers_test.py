"""Boxes move with the pixels in Mosaic, JitteredResize and RandomCropAndResize."""

import numpy as np

from kerasverse.cv import bounding_box
from kerasverse.cv import layers
from kerasverse.cv.layers.augmentation_testing import box_images
from kerasverse.cv.layers.augmentation_testing import fraction_white_inside
from kerasverse.testing import TestCase


class GeometricLayersTest(TestCase):
    def _check_boxes_follow_pixels(self, layer, data, min_kept):
        for _ in range(3):
            out = layer(data)
            fractions = fraction_white_inside(out)
            self.assertGreaterEqual(len(fractions), min_kept)
            # Boxes cover bright pixels (a misplaced box would cover mostly black);
            # slivers clipped at a mosaic seam may lose their interior to rounding.
            self.assertGreater(np.median(fractions), 0.95, fractions)
            self.assertGreater(fractions.mean(), 0.8, fractions)
            classes = np.asarray(out["bounding_boxes"]["classes"])
            boxes = np.asarray(out["bounding_boxes"]["boxes"])
            self.assertTrue((boxes[classes == -1] == -1).all())
            bounding_box.validate_format(
                {"boxes": boxes, "classes": classes}, bounding_box_format="xyxy", num_classes=3
            )

    def test_jittered_resize(self):
        data = box_images(batch=4, size=64)
        layer = layers.JitteredResize((48, 48), scale_factor=(0.6, 1.6), bounding_box_format="xyxy", seed=3)
        self._check_boxes_follow_pixels(layer, data, min_kept=4)

    def test_random_crop_and_resize(self):
        data = box_images(batch=4, size=64)
        layer = layers.RandomCropAndResize((48, 48), (0.5, 1.0), (0.8, 1.25), bounding_box_format="xyxy", seed=3)
        self._check_boxes_follow_pixels(layer, data, min_kept=4)

    def test_mosaic(self):
        data = box_images(batch=4, size=64)
        layer = layers.Mosaic(bounding_box_format="xyxy", seed=3)
        out = layer(data)
        self.assertEqual(tuple(out["bounding_boxes"]["boxes"].shape), (4, 12, 4))
        self._check_boxes_follow_pixels(layer, data, min_kept=8)

    def test_mosaic_other_format_and_labels(self):
        data = box_images(batch=3, size=32)
        data["bounding_boxes"]["boxes"] = np.asarray(
            bounding_box.convert_format(data["bounding_boxes"]["boxes"], "xyxy", "rel_yxyx", image_shape=(32, 32)))
        data["labels"] = np.eye(3, dtype="float32")
        out = layers.Mosaic(bounding_box_format="rel_yxyx", seed=0)(data)
        labels = np.asarray(out["labels"])
        self.assertAllClose(labels.sum(-1), np.ones(3), atol=1e-5)
        boxes = np.asarray(out["bounding_boxes"]["boxes"])
        kept = np.asarray(out["bounding_boxes"]["classes"]) != -1
        self.assertTrue(((boxes[kept] >= 0) & (boxes[kept] <= 1)).all())

    def test_boxes_outside_become_padding_and_empty_box_sets(self):
        data = box_images(batch=2, size=64)
        data["bounding_boxes"]["classes"][1] = -1  # an image with no boxes
        layer = layers.RandomCropAndResize((32, 32), (0.05, 0.05), (1.0, 1.0), bounding_box_format="xyxy", seed=0)
        out = layer(data)
        classes = np.asarray(out["bounding_boxes"]["classes"])
        self.assertTrue((classes[1] == -1).all())
        empty = {"images": data["images"],
                 "bounding_boxes": {"boxes": np.zeros((2, 0, 4), "float32"), "classes": np.zeros((2, 0), "float32")}}
        out = layers.Mosaic(bounding_box_format="xyxy", seed=0)(empty)
        self.assertEqual(tuple(out["bounding_boxes"]["boxes"].shape), (2, 0, 4))

    def test_inference_is_deterministic_resize(self):
        data = box_images(batch=2, size=64)
        layer = layers.JitteredResize((32, 32), scale_factor=(0.5, 2.0), bounding_box_format="xyxy", seed=0)
        a, b = layer(data, training=False), layer(data, training=False)
        self.assertAllClose(a["images"], b["images"])
        self.assertAllClose(a["bounding_boxes"]["boxes"], data["bounding_boxes"]["boxes"] / 2, atol=1e-4)
