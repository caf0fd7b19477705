"""kerasverse.cv.bounding_box: keras_cv's bounding box API on Keras 3.

Padding convention: dense arrays, padding boxes have class `-1` (and
coordinates `-1`). Where core Keras has the function, this module wraps it:

| kerasverse.cv.bounding_box | core Keras (`keras.utils.bounding_boxes`) |
|---|---|
| `convert_format` | `convert_format` (re-export, `images`/`image_shape` args) |
| `compute_iou` | `compute_iou` (re-export) |
| `compute_ciou` | `compute_ciou` (re-export; relative formats converted first) |
| `clip_to_image` | `clip_to_image_size` (+ empty boxes become padding) |
| `to_dense`, `to_ragged`, `mask_invalid_detections`, `validate_format`, `is_relative` | ours |

Example:

>>> import numpy as np
>>> from kerasverse.cv import bounding_box
>>> boxes = np.array([[10.0, 20.0, 30.0, 60.0]])
>>> bounding_box.convert_format(boxes, "xyxy", "center_xywh").tolist()
[[20.0, 40.0, 20.0, 40.0]]
"""

from kerasverse.cv.bounding_box.clip_to_image import clip_to_image
from kerasverse.cv.bounding_box.converters import convert_format
from kerasverse.cv.bounding_box.dense import mask_invalid_detections
from kerasverse.cv.bounding_box.dense import to_dense
from kerasverse.cv.bounding_box.dense import to_ragged
from kerasverse.cv.bounding_box.formats import SUPPORTED_FORMATS
from kerasverse.cv.bounding_box.formats import is_relative
from kerasverse.cv.bounding_box.iou import compute_ciou
from kerasverse.cv.bounding_box.iou import compute_iou
from kerasverse.cv.bounding_box.validate_format import validate_format

__all__ = [
    "SUPPORTED_FORMATS",
    "clip_to_image",
    "compute_ciou",
    "compute_iou",
    "convert_format",
    "is_relative",
    "mask_invalid_detections",
    "to_dense",
    "to_ragged",
    "validate_format",
]
