import math

import numpy as np
import pytest

from kerasverse.cv import bounding_box
from kerasverse.testing import TestCase


def numpy_iou(a, b):
    """IoU table from the definition, xyxy."""
    a, b = a[:, None, :], b[None, :, :]
    iw = np.clip(np.minimum(a[..., 2], b[..., 2]) - np.maximum(a[..., 0], b[..., 0]), 0, None)
    ih = np.clip(np.minimum(a[..., 3], b[..., 3]) - np.maximum(a[..., 1], b[..., 1]), 0, None)
    inter = iw * ih
    area_a = (a[..., 2] - a[..., 0]) * (a[..., 3] - a[..., 1])
    area_b = (b[..., 2] - b[..., 0]) * (b[..., 3] - b[..., 1])
    return inter / (area_a + area_b - inter)


def numpy_ciou(a, b):
    """CIoU from Zheng et al. 2020, eq. (9)-(11), element-wise, xyxy."""
    iw = np.clip(np.minimum(a[..., 2], b[..., 2]) - np.maximum(a[..., 0], b[..., 0]), 0, None)
    ih = np.clip(np.minimum(a[..., 3], b[..., 3]) - np.maximum(a[..., 1], b[..., 1]), 0, None)
    wa, ha = a[..., 2] - a[..., 0], a[..., 3] - a[..., 1]
    wb, hb = b[..., 2] - b[..., 0], b[..., 3] - b[..., 1]
    iou = iw * ih / (wa * ha + wb * hb - iw * ih)
    cw = np.maximum(a[..., 2], b[..., 2]) - np.minimum(a[..., 0], b[..., 0])
    ch = np.maximum(a[..., 3], b[..., 3]) - np.minimum(a[..., 1], b[..., 1])
    rho2 = ((a[..., 0] + a[..., 2]) / 2 - (b[..., 0] + b[..., 2]) / 2) ** 2 + (
        (a[..., 1] + a[..., 3]) / 2 - (b[..., 1] + b[..., 3]) / 2
    ) ** 2
    v = 4 / math.pi**2 * (np.arctan(wb / hb) - np.arctan(wa / ha)) ** 2
    alpha = v / ((1 - iou) + v)
    return iou - rho2 / (cw**2 + ch**2) - alpha * v


def random_boxes(rng, n, size=100.0):
    xy = rng.uniform(0, size * 0.7, size=(n, 2))
    wh = rng.uniform(2, size * 0.5, size=(n, 2))
    return np.concatenate([xy, xy + wh], axis=-1).astype("float32")


class IoUTest(TestCase):
    def test_iou_matches_numpy_in_every_format(self):
        rng = np.random.default_rng(1)
        a, b = random_boxes(rng, 7), random_boxes(rng, 5)
        expected = numpy_iou(a.astype(float), b.astype(float))
        for fmt in ("xyxy", "yxyx", "xywh", "center_xywh", "rel_xyxy", "rel_yxyx"):
            a_f = bounding_box.convert_format(a, "xyxy", fmt, image_shape=(100, 100))
            b_f = bounding_box.convert_format(b, "xyxy", fmt, image_shape=(100, 100))
            out = bounding_box.compute_iou(a_f, b_f, fmt)
            self.assertAllClose(out, expected, atol=1e-5, rtol=1e-4, msg=fmt)

    def test_iou_batched_and_masking(self):
        rng = np.random.default_rng(2)
        a = np.stack([random_boxes(rng, 4), random_boxes(rng, 4)])
        b = np.stack([random_boxes(rng, 3), random_boxes(rng, 3)])
        b[1, 2] = -1.0
        out = np.asarray(bounding_box.compute_iou(a, b, "xyxy", use_masking=True, mask_val=-7))
        self.assertEqual(out.shape, (2, 4, 3))
        self.assertAllClose(out[0], numpy_iou(a[0], b[0]), atol=1e-5)
        self.assertAllEqual(out[1, :, 2], np.full(4, -7.0, "float32"))

    def test_ciou_matches_paper_formula(self):
        rng = np.random.default_rng(3)
        a, b = random_boxes(rng, 20), random_boxes(rng, 20)
        b[:5] = a[:5] + rng.uniform(-2, 2, size=(5, 4)).astype("float32")
        out = bounding_box.compute_ciou(a, b, "xyxy")
        self.assertAllClose(out, numpy_ciou(a.astype(float), b.astype(float)), atol=1e-4, rtol=1e-4)
        rel = bounding_box.convert_format(a, "xyxy", "rel_xywh", image_shape=(100, 200))
        rel_b = bounding_box.convert_format(b, "xyxy", "rel_xywh", image_shape=(100, 200))
        out = bounding_box.compute_ciou(rel, rel_b, "rel_xywh", image_shape=(100, 200))
        self.assertAllClose(out, numpy_ciou(a.astype(float), b.astype(float)), atol=1e-4, rtol=1e-4)

    def test_ciou_relative_needs_size(self):
        with pytest.raises(ValueError, match="needs the image size"):
            bounding_box.compute_ciou(np.ones((1, 4)), np.ones((1, 4)), "rel_xyxy")
