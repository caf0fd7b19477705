"""`NonMaxSuppression`: greedy NMS over a batch of box predictions, jit-compatible."""

import keras
from keras import ops

from kerasverse.cv.bounding_box.converters import convert_format
from kerasverse.cv.bounding_box.dense import mask_invalid_detections
from kerasverse.cv.bounding_box.formats import check_format


@keras.saving.register_keras_serializable(package="kerasverse")
class NonMaxSuppression(keras.layers.Layer):
    """Greedy non-max suppression of detections, class-agnostic or per class.

    Each box takes its best class (`argmax` over the class scores) and that
    score as its confidence. Boxes with confidence `> confidence_threshold`
    are visited in descending confidence (ties: lower box index first); a box
    is kept unless a kept box before it overlaps it with IoU
    `> iou_threshold` (with `class_agnostic=False`, only kept boxes of the
    same class suppress it). At most `max_detections` boxes are kept per
    image. The loop stops at the last candidate above the threshold, so cost
    grows with the number of confident boxes, not with all anchors.

    Args:
        bounding_box_format: format of `box_prediction` (and of the output).
        from_logits: whether `class_prediction` holds logits (a sigmoid is
            applied) or probabilities.
        iou_threshold: overlap above which a box is suppressed.
        confidence_threshold: minimum confidence (exclusive) of a detection.
        max_detections: slots per image in the output.
        class_agnostic: `True` (keras_cv's behaviour): any kept box suppresses
            overlapping ones; `False`: only boxes of the same class.

    Call arguments:
        box_prediction: `(B, N, 4)` boxes.
        class_prediction: `(B, N, num_classes)` scores.
        images, image_shape: accepted for keras_cv compatibility (IoU does
            not depend on the image size).

    Returns:
        dict of `"boxes"` `(B, max_detections, 4)`, `"confidence"`
        `(B, max_detections)`, `"classes"` `(B, max_detections)` int32 and
        `"num_detections"` `(B,)` int32; slots past `num_detections` are -1.

    Example:

    >>> import numpy as np
    >>> boxes = np.array([[[0, 0, 10, 10], [1, 1, 10, 10], [20, 20, 30, 30]]], "float32")
    >>> scores = np.array([[[0.9, 0.1], [0.8, 0.1], [0.1, 0.7]]], "float32")
    >>> nms = NonMaxSuppression("xyxy", from_logits=False, max_detections=3)
    >>> out = nms(boxes, scores)
    >>> np.asarray(out["classes"]).tolist(), np.asarray(out["num_detections"]).tolist()
    ([[0, 1, -1]], [2])
    """

    def __init__(
        self,
        bounding_box_format,
        from_logits,
        iou_threshold=0.5,
        confidence_threshold=0.5,
        max_detections=100,
        class_agnostic=True,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.bounding_box_format = check_format(bounding_box_format)
        if not 0.0 <= iou_threshold <= 1.0:
            raise ValueError(f"`iou_threshold` must be in [0, 1]. Received: iou_threshold={iou_threshold}.")
        if int(max_detections) < 1:
            raise ValueError(f"`max_detections` must be >= 1. Received: max_detections={max_detections}.")
        self.from_logits = from_logits
        self.iou_threshold = iou_threshold
        self.confidence_threshold = confidence_threshold
        self.max_detections = int(max_detections)
        self.class_agnostic = class_agnostic
        self.built = True

    def call(self, box_prediction, class_prediction, images=None, image_shape=None):
        box_prediction = ops.convert_to_tensor(box_prediction)
        class_prediction = ops.convert_to_tensor(class_prediction)
        if len(box_prediction.shape) != 3 or box_prediction.shape[-1] != 4:
            raise ValueError(
                "`box_prediction` must have shape (batch, num_boxes, 4). "
                f"Received: box_prediction.shape={tuple(box_prediction.shape)}."
            )
        if len(class_prediction.shape) != 3:
            raise ValueError(
                "`class_prediction` must have shape (batch, num_boxes, num_classes). "
                f"Received: class_prediction.shape={tuple(class_prediction.shape)}."
            )
        class_prediction = ops.cast(class_prediction, "float32")
        if self.from_logits:
            class_prediction = ops.sigmoid(class_prediction)
        confidence = ops.max(class_prediction, axis=-1)
        classes = ops.cast(ops.argmax(class_prediction, axis=-1), "int32")
        selected, count = greedy_nms(
            box_prediction,
            confidence,
            classes,
            self.bounding_box_format,
            self.iou_threshold,
            self.confidence_threshold,
            self.max_detections,
            self.class_agnostic,
        )
        output = {
            "boxes": ops.take_along_axis(ops.cast(box_prediction, "float32"), selected[..., None], axis=1),
            "confidence": ops.take_along_axis(confidence, selected, axis=1),
            "classes": ops.take_along_axis(classes, selected, axis=1),
            "num_detections": count,
        }
        return mask_invalid_detections(output)

    def compute_output_spec(self, box_prediction, class_prediction, images=None, image_shape=None):
        batch = box_prediction.shape[0]
        k = self.max_detections
        return {
            "boxes": keras.KerasTensor((batch, k, 4), "float32"),
            "confidence": keras.KerasTensor((batch, k), "float32"),
            "classes": keras.KerasTensor((batch, k), "int32"),
            "num_detections": keras.KerasTensor((batch,), "int32"),
        }

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "bounding_box_format": self.bounding_box_format,
                "from_logits": self.from_logits,
                "iou_threshold": self.iou_threshold,
                "confidence_threshold": self.confidence_threshold,
                "max_detections": self.max_detections,
                "class_agnostic": self.class_agnostic,
            }
        )
        return config


def greedy_nms(
    boxes,
    confidence,
    classes,
    bounding_box_format,
    iou_threshold,
    confidence_threshold,
    max_detections,
    class_agnostic=True,
):
    """Greedy NMS on `(B, N, 4)` boxes; returns selected indices `(B, K)` and counts `(B,)`.

    Indices past each count are 0 (mask them with the count).
    """
    work = "rel_xyxy" if bounding_box_format.startswith("rel_") else "xyxy"
    boxes = convert_format(boxes, bounding_box_format, work)
    num_boxes = boxes.shape[1]
    batch = ops.shape(boxes)[0]
    order = ops.argsort(-confidence, axis=-1)
    boxes = ops.take_along_axis(boxes, order[..., None], axis=1)
    scores = ops.take_along_axis(confidence, order, axis=1)
    classes = ops.take_along_axis(classes, order, axis=1)
    valid = scores > confidence_threshold
    num_candidates = ops.max(ops.sum(ops.cast(valid, "int32"), axis=1))
    areas = (boxes[..., 2] - boxes[..., 0]) * (boxes[..., 3] - boxes[..., 1])
    positions = ops.arange(num_boxes, dtype="int32")[None, :]
    slots = ops.arange(max_detections, dtype="int32")[None, :]

    def cond(i, suppressed, selected, count):
        return ops.logical_and(i < num_candidates, ops.any(count < max_detections))

    def body(i, suppressed, selected, count):
        box = ops.take(boxes, i, axis=1)  # (B, 4)
        alive = ops.logical_and(
            ops.logical_not(ops.take(suppressed, i, axis=1)),
            ops.logical_and(ops.take(valid, i, axis=1), count < max_detections),
        )
        inter_w = ops.maximum(
            ops.minimum(box[:, None, 2], boxes[..., 2]) - ops.maximum(box[:, None, 0], boxes[..., 0]), 0.0
        )
        inter_h = ops.maximum(
            ops.minimum(box[:, None, 3], boxes[..., 3]) - ops.maximum(box[:, None, 1], boxes[..., 1]), 0.0
        )
        inter = inter_w * inter_h
        area = (box[:, 2] - box[:, 0]) * (box[:, 3] - box[:, 1])
        union = area[:, None] + areas - inter
        overlap = ops.divide(inter, ops.maximum(union, 1e-9)) > iou_threshold
        overlap = ops.logical_and(overlap, positions > i)
        if not class_agnostic:
            same_class = ops.equal(classes, ops.take(classes, i, axis=1)[:, None])
            overlap = ops.logical_and(overlap, same_class)
        suppressed = ops.logical_or(suppressed, ops.logical_and(overlap, alive[:, None]))
        write = ops.logical_and(ops.equal(slots, count[:, None]), alive[:, None])
        selected = ops.where(write, i, selected)
        count = count + ops.cast(alive, "int32")
        return i + 1, suppressed, selected, count

    init = (
        ops.convert_to_tensor(0, "int32"),
        ops.zeros((batch, num_boxes), "bool"),
        ops.zeros((batch, max_detections), "int32"),
        ops.zeros((batch,), "int32"),
    )
    _, _, selected, count = ops.while_loop(cond, body, init)
    original = ops.take_along_axis(order, selected, axis=1)
    return ops.cast(original, "int32"), count
