"""`CIoULoss` (Zheng et al., 2020)."""

import math

import keras
from keras import ops

from kerasverse.cv.bounding_box.converters import convert_format
from kerasverse.cv.bounding_box.formats import check_format


@keras.saving.register_keras_serializable(package="kerasverse")
class CIoULoss(keras.losses.Loss):
    """Complete IoU loss of matching boxes: `1 - CIoU`, one value per box.

    `CIoU = IoU - d^2 / c^2 - alpha * v` (see
    `kerasverse.cv.bounding_box.compute_ciou`). Relative formats are used as
    they are (the aspect term then uses relative widths and heights).

    Args:
        bounding_box_format: format of `y_true` and `y_pred` (`(..., 4)`).
        eps: small constant against division by zero.

    Example:

    >>> import numpy as np
    >>> loss = CIoULoss("xyxy")
    >>> y_true = np.array([[0.0, 0.0, 10.0, 10.0]]); y_pred = np.array([[0.0, 0.0, 10.0, 10.0]])
    >>> round(float(loss(y_true, y_pred)), 4)
    0.0
    """

    def __init__(self, bounding_box_format, eps=1e-7, **kwargs):
        super().__init__(**kwargs)
        self.bounding_box_format = check_format(bounding_box_format)
        self.eps = eps

    def call(self, y_true, y_pred):
        work = "rel_xyxy" if self.bounding_box_format.startswith("rel_") else "xyxy"
        a = convert_format(y_true, self.bounding_box_format, work)
        b = convert_format(y_pred, self.bounding_box_format, work)
        eps = self.eps
        wa, ha = a[..., 2] - a[..., 0], a[..., 3] - a[..., 1] + eps
        wb, hb = b[..., 2] - b[..., 0], b[..., 3] - b[..., 1] + eps
        inter = ops.maximum(ops.minimum(a[..., 2], b[..., 2]) - ops.maximum(a[..., 0], b[..., 0]), 0) * ops.maximum(
            ops.minimum(a[..., 3], b[..., 3]) - ops.maximum(a[..., 1], b[..., 1]), 0
        )
        union = wa * ha + wb * hb - inter + eps
        iou = inter / union
        hull_w = ops.maximum(a[..., 2], b[..., 2]) - ops.minimum(a[..., 0], b[..., 0])
        hull_h = ops.maximum(a[..., 3], b[..., 3]) - ops.minimum(a[..., 1], b[..., 1])
        diagonal2 = hull_w**2 + hull_h**2 + eps
        centre2 = ((a[..., 0] + a[..., 2] - b[..., 0] - b[..., 2]) ** 2 + (a[..., 1] + a[..., 3] - b[..., 1] - b[..., 3]) ** 2) / 4
        v = (4 / math.pi**2) * (ops.arctan(wb / hb) - ops.arctan(wa / ha)) ** 2
        alpha = ops.stop_gradient(v / (v - iou + (1 + eps)))
        return 1.0 - (iou - (centre2 / diagonal2 + alpha * v))

    def get_config(self):
        config = super().get_config()
        config.update({"bounding_box_format": self.bounding_box_format, "eps": self.eps})
        return config
