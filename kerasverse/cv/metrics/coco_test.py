import numpy as np
import pytest

from kerasverse.cv.metrics import compute_coco_metrics
from kerasverse.cv.metrics.coco import METRIC_NAMES
from kerasverse.cv.metrics.coco_reference import pycocotools_metrics
from kerasverse.testing import TestCase


def random_dataset(seed, num_images=40, num_classes=5, max_gt=12, max_dt=130, image_size=256):
    """Random detections with the edge cases: images without GT, classes never predicted,
    score ties, > 100 detections in some image, boxes of every area range, near-duplicates."""
    rng = np.random.default_rng(seed)
    gt_b, gt_c, dt_b, dt_c, dt_s = [], [], [], [], []
    for i in range(num_images):
        n_gt = 0 if i % 7 == 0 else rng.integers(1, max_gt)
        n_dt = max_dt if i % 11 == 3 else rng.integers(0, 25)
        sizes = rng.choice([12.0, 50.0, 150.0], size=(n_gt, 1)) * rng.uniform(0.5, 1.5, size=(n_gt, 2))
        xy = rng.uniform(0, image_size - 40, size=(n_gt, 2))
        g = np.concatenate([xy, xy + sizes], -1).astype("float32")
        gc = rng.integers(0, num_classes, size=n_gt)
        # detections: jittered copies of GT plus random boxes
        n_copy = min(n_dt, n_gt * 2)
        src = rng.integers(0, max(n_gt, 1), size=n_copy)
        jitter = rng.normal(0, 4, size=(n_copy, 4)) if n_gt else np.zeros((0, 4))
        copies = g[src] + jitter if n_gt else np.zeros((0, 4))
        n_rand = n_dt - len(copies)
        rxy = rng.uniform(0, image_size - 40, size=(n_rand, 2))
        rwh = rng.uniform(4, 120, size=(n_rand, 2))
        d = np.concatenate([copies, np.concatenate([rxy, rxy + rwh], -1)]).astype("float32")
        d[:, 2:] = np.maximum(d[:, 2:], d[:, :2] + 1)
        dc = np.concatenate([gc[src] if n_gt else np.zeros(0, int), rng.integers(0, num_classes - 1, size=n_rand)])
        flip = rng.uniform(size=len(dc)) < 0.15
        dc = np.where(flip, rng.integers(0, num_classes - 1, size=len(dc)), dc)  # class 4 rarely predicted
        scores = np.round(rng.uniform(size=len(dc)), 1).astype("float32")  # many ties
        gt_b.append(g), gt_c.append(gc), dt_b.append(d), dt_c.append(dc), dt_s.append(scores)
    return gt_b, gt_c, dt_b, dt_c, dt_s


def to_xywh(boxes):
    b = boxes.astype(np.float64)
    return np.concatenate([b[:, :2], b[:, 2:] - b[:, :2]], -1)


class COCOMetricsTest(TestCase):
    def _compare(self, seed, **kwargs):
        gt_b, gt_c, dt_b, dt_c, dt_s = random_dataset(seed, **kwargs)
        ours = compute_coco_metrics(
            {"boxes": gt_b, "classes": gt_c},
            {"boxes": dt_b, "classes": dt_c, "confidence": dt_s},
            bounding_box_format="xyxy",
        )
        reference = pycocotools_metrics([to_xywh(b) for b in gt_b], gt_c, [to_xywh(b) for b in dt_b], dt_c, dt_s)
        got = np.array([ours[name] for name in METRIC_NAMES])
        np.testing.assert_allclose(got, reference, atol=1e-6, rtol=0)
        return got

    def test_identical_to_pycocotools_on_random_detections(self):
        for seed in range(2):
            got = self._compare(seed)
            self.assertTrue((got > 0).all(), got)  # every number is exercised

    def test_identical_to_pycocotools_dense_many_overlaps(self):
        self._compare(10, num_images=12, num_classes=2, max_gt=30, max_dt=150, image_size=120)

    def test_padded_dense_input_and_num_detections(self):
        gt_b, gt_c, dt_b, dt_c, dt_s = random_dataset(3, num_images=6)
        ragged = compute_coco_metrics({"boxes": gt_b, "classes": gt_c},
                                      {"boxes": dt_b, "classes": dt_c, "confidence": dt_s})
        from kerasverse.cv.bounding_box import to_dense

        dense_true = to_dense({"boxes": gt_b, "classes": gt_c}, max_boxes=20)
        dense_pred = to_dense({"boxes": dt_b, "classes": dt_c, "confidence": dt_s}, max_boxes=200)
        dense_pred["num_detections"] = np.array([len(c) for c in dt_c])
        dense = compute_coco_metrics(dense_true, dense_pred)
        self.assertEqual(ragged, dense)

    def test_edge_cases(self):
        empty = {"boxes": np.zeros((2, 0, 4)), "classes": np.zeros((2, 0))}
        no_pred = {"boxes": np.zeros((2, 0, 4)), "classes": np.zeros((2, 0)), "confidence": np.zeros((2, 0))}
        self.assertEqual(set(compute_coco_metrics(empty, no_pred).values()), {-1.0})
        one = {"boxes": np.array([[[0, 0, 10, 10]]], "float32"), "classes": np.array([[1]])}
        out = compute_coco_metrics(one, {"boxes": np.zeros((1, 0, 4)), "classes": np.zeros((1, 0)),
                                         "confidence": np.zeros((1, 0))})
        self.assertEqual(out["MaP"], 0.0)
        self.assertEqual(out["MaP@[area=large]"], -1.0)

    def test_bad_input(self):
        data = {"boxes": np.zeros((1, 1, 4)), "classes": np.array([[7]])}
        pred = {"boxes": np.zeros((1, 1, 4)), "classes": np.array([[0]]), "confidence": np.ones((1, 1))}
        with pytest.raises(ValueError, match=r"ids outside \[0, 5\). Received: \[7\]"):
            compute_coco_metrics(data, pred, num_classes=5)
        with pytest.raises(ValueError, match="needs a 'confidence' key"):
            compute_coco_metrics(data, {"boxes": pred["boxes"], "classes": pred["classes"]})
        with pytest.raises(ValueError, match="absolute pixel boxes"):
            compute_coco_metrics(data, pred, bounding_box_format="rel_xyxy")
        with pytest.raises(ValueError, match="Unknown bounding box format"):
            compute_coco_metrics(data, pred, bounding_box_format="xxyy")
