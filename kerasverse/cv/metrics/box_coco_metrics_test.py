import keras
import numpy as np
import pytest

from kerasverse.cv.bounding_box import to_dense
from kerasverse.cv.metrics import BoxCOCOMetrics
from kerasverse.cv.metrics import compute_coco_metrics
from kerasverse.cv.metrics.coco import METRIC_NAMES
from kerasverse.cv.metrics.coco_reference import pycocotools_metrics
from kerasverse.cv.metrics.coco_test import random_dataset
from kerasverse.cv.metrics.coco_test import to_xywh
from kerasverse.testing import TestCase


class _GivenDetections(keras.Model):
    """A stand-in detector: returns the detections it is fed (shifted by a trainable offset).

    Like a real detector, it updates the COCO metric from `compute_metrics`
    with (decoded) box dicts.
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.coco = BoxCOCOMetrics("xyxy")
        self.offset = self.add_weight(shape=(), initializer="zeros", name="offset")

    def call(self, inputs):
        self.add_loss(keras.ops.square(self.offset - 0.25))
        return {"boxes": inputs["boxes"] + self.offset * 0.0, "classes": inputs["classes"],
                "confidence": inputs["confidence"]}

    def compute_metrics(self, x, y, y_pred, sample_weight=None):
        self.coco.update_state(y, y_pred)
        return self.get_metrics_result()


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

    def test_works_in_compiled_evaluate_and_fit_like_pycocotools(self):
        # The default trainer (jax.jit on JAX) runs update_state inside the compiled step.
        gt_b, gt_c, dt_b, dt_c, dt_s = random_dataset(3, num_images=10)
        expected = pycocotools_metrics([to_xywh(b) for b in gt_b], gt_c, [to_xywh(b) for b in dt_b], dt_c, dt_s)
        x = to_dense({"boxes": dt_b, "classes": dt_c, "confidence": dt_s})
        y = to_dense({"boxes": gt_b, "classes": gt_c})
        model = _GivenDetections()
        model.compile(optimizer="sgd")
        for _ in range(2):  # the second run starts from a reset metric
            logs = model.evaluate(x, y, batch_size=4, verbose=0, return_dict=True)
            got = np.array([float(logs[name]) for name in METRIC_NAMES])
            self.assertAllClose(got, expected, atol=1e-6)
        history = model.fit(x, y, batch_size=5, epochs=2, verbose=0, shuffle=False)  # ties: order matters
        for name, value in zip(METRIC_NAMES, expected):
            self.assertAllClose(history.history[name], [value, value], atol=1e-6)
        self.assertEqual(len(model.coco._true["boxes"]), 10)  # one epoch of images since the reset
