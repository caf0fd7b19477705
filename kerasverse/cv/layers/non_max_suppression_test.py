import numpy as np
import pytest

from kerasverse.cv.layers import NonMaxSuppression
from kerasverse.testing import TestCase


def numpy_greedy_nms(boxes, scores, classes, iou_threshold, confidence_threshold, max_detections, class_agnostic):
    """Plain greedy NMS for one image (xyxy), written from the textbook algorithm."""
    order = np.argsort(-scores, kind="stable")
    kept = []
    for i in order:
        if scores[i] <= confidence_threshold or len(kept) == max_detections:
            break
        suppressed = False
        for j in kept:
            if not class_agnostic and classes[i] != classes[j]:
                continue
            a, b = boxes[i], boxes[j]
            iw = max(min(a[2], b[2]) - max(a[0], b[0]), np.float32(0))
            ih = max(min(a[3], b[3]) - max(a[1], b[1]), np.float32(0))
            inter = np.float32(iw * ih)
            union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
            if inter / max(union, np.float32(1e-9)) > iou_threshold:
                suppressed = True
                break
        if not suppressed:
            kept.append(i)
    return kept


def random_problem(seed, batch=3, num_boxes=60, num_classes=4, ties=False):
    rng = np.random.default_rng(seed)
    xy = rng.uniform(0, 80, size=(batch, num_boxes, 2))
    wh = rng.uniform(5, 40, size=(batch, num_boxes, 2))
    boxes = np.concatenate([xy, xy + wh], axis=-1).astype("float32")
    scores = rng.uniform(0, 1, size=(batch, num_boxes, num_classes)).astype("float32")
    if ties:
        scores = np.round(scores * 4) / 4  # many exactly equal scores
        boxes[:, 1::2] = boxes[:, ::2]  # identical boxes with identical scores
    return boxes, scores


class NonMaxSuppressionTest(TestCase):
    def _check_against_reference(self, seed, class_agnostic, ties, max_detections=10):
        boxes, scores = random_problem(seed, ties=ties)
        layer = NonMaxSuppression(
            "xyxy", from_logits=False, iou_threshold=0.4, confidence_threshold=0.3,
            max_detections=max_detections, class_agnostic=class_agnostic,
        )
        out = {k: np.asarray(v) for k, v in layer(boxes, scores).items()}
        for b in range(len(boxes)):
            conf, cls = scores[b].max(-1), scores[b].argmax(-1)
            kept = numpy_greedy_nms(boxes[b], conf, cls, 0.4, 0.3, max_detections, class_agnostic)
            n = len(kept)
            self.assertEqual(int(out["num_detections"][b]), n)
            self.assertAllClose(out["boxes"][b, :n], boxes[b][kept])
            self.assertAllEqual(out["classes"][b, :n], cls[kept].astype("int32"))
            self.assertAllClose(out["confidence"][b, :n], conf[kept])
            self.assertTrue((out["classes"][b, n:] == -1).all())
            self.assertTrue((out["boxes"][b, n:] == -1).all())

    def test_matches_numpy_reference(self):
        for seed in range(2):
            for class_agnostic in (True, False):
                self._check_against_reference(seed, class_agnostic, ties=False)

    def test_matches_numpy_reference_with_score_ties(self):
        for seed in range(2):
            for class_agnostic in (True, False):
                self._check_against_reference(seed, class_agnostic, ties=True, max_detections=40)

    def test_from_logits_and_relative_format(self):
        boxes, scores = random_problem(5, batch=1)
        logits = np.log(scores / (1 - scores))
        rel = boxes / 120.0
        layer = NonMaxSuppression("rel_xyxy", from_logits=True, confidence_threshold=0.3, max_detections=20)
        out = layer(rel, logits)
        conf, cls = scores[0].max(-1), scores[0].argmax(-1)
        kept = numpy_greedy_nms(boxes[0], conf, cls, 0.5, 0.3, 20, True)
        self.assertEqual(int(np.asarray(out["num_detections"])[0]), len(kept))

    def test_no_candidate(self):
        boxes, scores = random_problem(6, batch=2)
        out = NonMaxSuppression("xyxy", from_logits=False, confidence_threshold=1.0, max_detections=5)(boxes, scores)
        self.assertAllEqual(out["num_detections"], np.array([0, 0]))
        self.assertAllEqual(out["classes"], -np.ones((2, 5)))

    @pytest.mark.slow
    def test_layer_in_model_jit_and_saving(self):
        boxes, scores = random_problem(7, batch=2, num_boxes=30)
        self.run_layer_test(
            _NMSModelAdapter,
            {"max_detections": 8},
            input_data=np.concatenate([boxes, scores], axis=-1),
            expected_output_shape={"boxes": (2, 8, 4), "classes": (2, 8), "confidence": (2, 8), "num_detections": (2,)},
        )

    def test_bad_arguments(self):
        with pytest.raises(ValueError, match="Unknown bounding box format"):
            NonMaxSuppression("xyz", from_logits=False)
        with pytest.raises(ValueError, match="Received: iou_threshold=1.5"):
            NonMaxSuppression("xyxy", from_logits=False, iou_threshold=1.5)
        with pytest.raises(ValueError, match=r"Received: box_prediction.shape=\(2, 4\)"):
            NonMaxSuppression("xyxy", from_logits=False)(np.zeros((2, 4)), np.zeros((2, 4, 1)))


import keras  # noqa: E402


@keras.saving.register_keras_serializable(package="kerasverse_test")
class _NMSModelAdapter(keras.layers.Layer):
    """One-input wrapper so the shared layer test can build a functional model."""

    def __init__(self, max_detections, **kwargs):
        super().__init__(**kwargs)
        self.max_detections = max_detections
        self.nms = NonMaxSuppression("xyxy", from_logits=False, confidence_threshold=0.3, max_detections=max_detections)

    def call(self, x):
        return self.nms(x[..., :4], x[..., 4:])

    def compute_output_spec(self, x):
        return self.nms.compute_output_spec(x[..., :4], x[..., 4:])

    def get_config(self):
        return {**super().get_config(), "max_detections": self.max_detections}
