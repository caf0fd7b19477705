"""kerasverse.cv.losses: detection losses with keras_cv's signatures.

`FocalLoss`, `IoULoss`, `GIoULoss`, `CIoULoss`, `SmoothL1Loss`: Keras
losses, serializable, backend-agnostic. Core Keras has
`keras.losses.BinaryFocalCrossentropy` and `keras.losses.Huber`, which
average instead of keras_cv's sum/mean conventions.
"""

from kerasverse.cv.losses.ciou_loss import CIoULoss
from kerasverse.cv.losses.focal_loss import FocalLoss
from kerasverse.cv.losses.giou_loss import GIoULoss
from kerasverse.cv.losses.iou_loss import IoULoss
from kerasverse.cv.losses.smooth_l1_loss import SmoothL1Loss

__all__ = ["CIoULoss", "FocalLoss", "GIoULoss", "IoULoss", "SmoothL1Loss"]
