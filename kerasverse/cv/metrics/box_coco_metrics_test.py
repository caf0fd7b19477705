import keras
import numpy as np
import pytest

from kerasverse.cv.bounding_box import to_dense
from kerasverse.cv.metrics import BoxCOCOMetrics
from kerasverse.cv.metrics import compute_coco_metrics
from kerasverse.cv.metrics.coco_test import random_dataset
from kerasverse.testing import TestCase


class BoxCOCOMetricsTest(TestCase):
    def test_accumulates_over_batches(self):
        gt_b, gt_c, dt_b, dt_c, dt_s = random_dataset(1, num_images=12)
        expected = compute_coco_metrics({"boxes": gt_b, "classes": gt_c},
                                        {"boxes": dt_b, "classes": dt_c, "confidence": dt_s})
        metric = BoxCOCOMetrics("xyxy")
        for start in (0, 5):
            stop = start + (5 if start == 0 else 7)
            y_true = to_dense({"boxes": gt_b[start:stop], "classes": gt_c[start:stop]})
            y_pred = to_dense({"boxes": dt_b[start:stop], "classes": dt_c[start:stop], "confidence": dt_s[start:stop]})
            y_true = {k: keras.ops.convert_to_tensor(v) for k, v in y_true.items()}
            metric.update_state(y_true, y_pred)
        self.assertEqual(metric.result(), expected)
        metric.reset_state()
        self.assertEqual(set(metric.result(force=True).values()), {-1.0})

    def test_evaluate_freq_and_config(self):
        metric = BoxCOCOMetrics("xywh", evaluate_freq=2, name="coco")
        y_true = {"boxes": np.array([[[0, 0, 50, 50]]], "float32"), "classes": np.array([[0]])}
        y_pred = {"boxes": np.array([[[0, 0, 50, 50]]], "float32"), "classes": np.array([[0]]),
                  "confidence": np.array([[0.9]]), "num_detections": np.array([1])}
        metric.update_state(y_true, y_pred)
        self.assertEqual(metric.result()["MaP"], -1.0)  # not evaluated yet
        self.assertAlmostEqual(metric.result(force=True)["MaP"], 1.0, places=9)
        restored = BoxCOCOMetrics.from_config(metric.get_config())
        self.assertEqual(restored.get_config(), metric.get_config())

    def test_bad_input(self):
        with pytest.raises(ValueError, match="Received: evaluate_freq=0"):
            BoxCOCOMetrics("xyxy", evaluate_freq=0)
        metric = BoxCOCOMetrics("xyxy")
        with pytest.raises(ValueError, match="expects y_true="):
            metric.update_state({"boxes": np.zeros((1, 1, 4))}, {})
