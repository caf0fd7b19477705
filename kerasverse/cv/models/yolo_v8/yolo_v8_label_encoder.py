"""`YOLOV8LabelEncoder`: task-aligned assignment of ground truth to anchor points."""

import keras
from keras import ops

from kerasverse.cv.bounding_box.iou import compute_iou


@keras.saving.register_keras_serializable(package="kerasverse")
class YOLOV8LabelEncoder(keras.layers.Layer):
    """Task-aligned label assignment (TOOD, Feng et al., 2021), as in YOLOv8.

    For every ground-truth box, the anchor points inside it are ranked by the
    alignment metric `score^alpha * IoU^beta` (score: the predicted
    probability of the box's class, IoU: of the predicted box); the
    `max_anchor_matches` best become its positives. An anchor claimed by
    several boxes keeps the one it overlaps most. Each positive's class target
    is the alignment, rescaled so that every box's best positive gets that
    box's best IoU.

    Args:
        num_classes: number of classes.
        max_anchor_matches: positives per ground-truth box (top-k).
        alpha: exponent of the class score in the alignment metric.
        beta: exponent of the IoU in the alignment metric.
        epsilon: small constant against division by zero.

    Call arguments:
        scores: `(B, N, num_classes)` predicted probabilities.
        decode_bboxes: `(B, N, 4)` predicted boxes, `xyxy` pixels.
        anchors: `(N, 2)` anchor points `(x, y)` in pixels.
        gt_labels: `(B, M)` class ids (`-1` padding).
        gt_bboxes: `(B, M, 4)` boxes, `xyxy` pixels.
        gt_mask: `(B, M)` True for real boxes.

    Returns:
        `(bbox_labels, class_labels, fg_mask)`: `(B, N, 4)` target boxes,
        `(B, N, num_classes)` soft class targets, `(B, N)` positives.

    Example:

    ```python
    import numpy as np

    encoder = YOLOV8LabelEncoder(num_classes=2, max_anchor_matches=1)
    anchors = np.array([[4.0, 4.0], [12.0, 4.0]], "float32")
    boxes, classes, positive = encoder(
        np.full((1, 2, 2), 0.5, "float32"),
        np.array([[[0, 0, 8, 8], [8, 0, 16, 8]]], "float32"),
        anchors,
        np.array([[1.0]], "float32"),
        np.array([[[0, 0, 8, 8]]], "float32"),
        np.array([[True]]),
    )  # positive == [[True, False]]
    ```
    """

    def __init__(self, num_classes, max_anchor_matches=10, alpha=0.5, beta=6.0, epsilon=1e-9, **kwargs):
        super().__init__(**kwargs)
        self.num_classes = num_classes
        self.max_anchor_matches = max_anchor_matches
        self.alpha = alpha
        self.beta = beta
        self.epsilon = epsilon
        self.built = True

    def call(self, scores, decode_bboxes, anchors, gt_labels, gt_bboxes, gt_mask):
        num_anchors = ops.shape(anchors)[0]
        num_gt = gt_bboxes.shape[1]
        gt_mask = ops.cast(gt_mask, "float32")
        labels = ops.cast(ops.maximum(gt_labels, 0), "int32")
        iou = ops.maximum(compute_iou(gt_bboxes, decode_bboxes, "xyxy"), 0.0)  # (B, M, N)
        class_one_hot = ops.one_hot(labels, self.num_classes)  # (B, M, C)
        box_scores = ops.einsum("bmc,bnc->bmn", class_one_hot, scores)
        x = anchors[None, None, :, 0]
        y = anchors[None, None, :, 1]
        in_box = (
            (x > gt_bboxes[..., 0:1]) & (x < gt_bboxes[..., 2:3])
            & (y > gt_bboxes[..., 1:2]) & (y < gt_bboxes[..., 3:4])
        )
        valid = ops.cast(in_box, "float32") * gt_mask[..., None]
        alignment = ops.power(box_scores, self.alpha) * ops.power(iou, self.beta) * valid
        k = min(self.max_anchor_matches, int(num_anchors))
        top_values, _ = ops.top_k(alignment, k)
        kth = top_values[..., -1:]
        candidates = ops.cast((alignment >= kth) & (alignment > 0), "float32")  # (B, M, N)
        # An anchor claimed by several boxes keeps the one it overlaps most.
        claims = ops.sum(candidates, axis=1, keepdims=True)
        best_box = ops.one_hot(ops.argmax(iou * candidates, axis=1), num_gt, axis=1)
        candidates = ops.where(claims > 1, best_box, candidates)
        fg_mask = ops.sum(candidates, axis=1) > 0  # (B, N)
        assigned = ops.argmax(candidates, axis=1)  # (B, N)
        bbox_labels = ops.take_along_axis(gt_bboxes, assigned[..., None], axis=1)
        assigned_labels = ops.take_along_axis(labels, assigned, axis=1)
        alignment = alignment * candidates
        best_alignment = ops.max(alignment, axis=-1, keepdims=True)
        best_iou = ops.max(iou * candidates, axis=-1, keepdims=True)
        normalized = ops.max(alignment * best_iou / (best_alignment + self.epsilon), axis=1)  # (B, N)
        class_labels = ops.one_hot(assigned_labels, self.num_classes) * (
            normalized * ops.cast(fg_mask, "float32")
        )[..., None]
        return (
            ops.stop_gradient(bbox_labels),
            ops.stop_gradient(class_labels),
            ops.stop_gradient(fg_mask),
        )

    def get_config(self):
        return {
            **super().get_config(),
            "num_classes": self.num_classes,
            "max_anchor_matches": self.max_anchor_matches,
            "alpha": self.alpha,
            "beta": self.beta,
            "epsilon": self.epsilon,
        }
