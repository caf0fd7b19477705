"""`GIoULoss` (Rezatofighi et al., 2019)."""

import keras
from keras import ops

from kerasverse.cv.bounding_box.formats import check_format
from kerasverse.cv.losses.box_overlaps import elementwise_iou_and_giou


@keras.saving.register_keras_serializable(package="kerasverse")
class GIoULoss(keras.losses.Loss):
    """Generalized IoU loss of matching boxes: `1 - GIoU`, in `[0, 2]`.

    `GIoU = IoU - (C - U) / C`, with `U` the union and `C` the area of the
    smallest box enclosing both.

    Args:
        bounding_box_format: format of `y_true` and `y_pred` (`(..., 4)`).
        axis: axis of boxes to average over per sample (`-1`), or
            `"no_reduction"` to keep one value per box.

    Example:

    >>> import numpy as np
    >>> loss = GIoULoss("xyxy")
    >>> y_true = np.array([[[0.0, 0.0, 10.0, 10.0]]]); y_pred = np.array([[[20.0, 0.0, 30.0, 10.0]]])
    >>> round(float(loss(y_true, y_pred)), 4)
    1.3333
    """

    def __init__(self, bounding_box_format, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.bounding_box_format = check_format(bounding_box_format)
        self.axis = axis

    def call(self, y_true, y_pred):
        _, giou = elementwise_iou_and_giou(y_true, y_pred, self.bounding_box_format)
        loss = 1.0 - giou
        if self.axis == "no_reduction":
            return loss
        return ops.mean(loss, axis=self.axis)

    def get_config(self):
        config = super().get_config()
        config.update({"bounding_box_format": self.bounding_box_format, "axis": self.axis})
        return config
