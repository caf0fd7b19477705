"""`IoULoss`: 1 - IoU (or its log/quadratic variants) of matching boxes."""

import keras
from keras import ops

from kerasverse.cv.bounding_box.formats import check_format
from kerasverse.cv.losses.box_overlaps import elementwise_iou_and_giou

MODES = ("linear", "quadratic", "log")


@keras.saving.register_keras_serializable(package="kerasverse")
class IoULoss(keras.losses.Loss):
    """IoU loss of matching boxes: `1 - IoU`, `1 - IoU^2` or `-log(IoU)`.

    Args:
        bounding_box_format: format of `y_true` and `y_pred` (`(..., 4)`).
        mode: `"linear"`, `"quadratic"` or `"log"` (keras_cv's default).
        axis: axis of boxes to average over per sample (`-1`), or
            `"no_reduction"` to keep one value per box.

    Example:

    >>> import numpy as np
    >>> loss = IoULoss("xyxy", mode="linear")
    >>> y_true = np.array([[[0.0, 0.0, 10.0, 10.0]]]); y_pred = np.array([[[5.0, 0.0, 15.0, 10.0]]])
    >>> round(float(loss(y_true, y_pred)), 4)
    0.6667
    """

    def __init__(self, bounding_box_format, mode="log", axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.bounding_box_format = check_format(bounding_box_format)
        if mode not in MODES:
            raise ValueError(f"`mode` must be one of {MODES}. Received: mode={mode!r}.")
        self.mode = mode
        self.axis = axis

    def call(self, y_true, y_pred):
        iou, _ = elementwise_iou_and_giou(y_true, y_pred, self.bounding_box_format)
        if self.mode == "linear":
            loss = 1.0 - iou
        elif self.mode == "quadratic":
            loss = 1.0 - iou**2
        else:
            loss = -ops.log(ops.maximum(iou, 1e-7))
        if self.axis == "no_reduction":
            return loss
        return ops.mean(loss, axis=self.axis)

    def get_config(self):
        config = super().get_config()
        config.update({"bounding_box_format": self.bounding_box_format, "mode": self.mode, "axis": self.axis})
        return config
