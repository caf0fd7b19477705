"""kerasverse.cv: the keras_cv API on Keras 3, backend-agnostic (JAX, PyTorch).

Subpackages:

- `kerasverse.cv.bounding_box`: box formats, conversion, IoU, clipping,
  padding of variable box counts (re-exporting `keras.utils.bounding_boxes`
  where core Keras has the function).
- `kerasverse.cv.layers`: bounding-box aware augmentation layers (`Mosaic`,
  `JitteredResize`, `RandomCropAndResize`, `GridMask`, `ChannelShuffle`,
  `RandomCutout`, a fast `RandAugment`, keras_cv-named aliases of core Keras
  layers) and detection layers (`AnchorGenerator`, `BoxMatcher`,
  `NonMaxSuppression`).
- `kerasverse.cv.losses`: `FocalLoss`, `IoULoss`, `GIoULoss`, `CIoULoss`,
  `SmoothL1Loss`.
- `kerasverse.cv.metrics`: `BoxCOCOMetrics` and `compute_coco_metrics`, the
  12 COCO numbers identical to pycocotools.
- `kerasverse.cv.models` (imported on first access): backbones and tasks.

Example:

>>> import numpy as np
>>> from kerasverse.cv import bounding_box
>>> boxes = np.array([[10.0, 20.0, 30.0, 60.0]])
>>> bounding_box.convert_format(boxes, source="xyxy", target="xywh").tolist()
[[10.0, 20.0, 20.0, 40.0]]
"""

import importlib

from kerasverse.cv import bounding_box
from kerasverse.cv import layers
from kerasverse.cv import losses
from kerasverse.cv import metrics

_LAZY = ("models",)

__all__ = ["bounding_box", "layers", "losses", "metrics", "models"]


def __getattr__(name):
    if name in _LAZY:
        module = importlib.import_module(f"kerasverse.cv.{name}")
        globals()[name] = module
        return module
    raise AttributeError(
        f"module 'kerasverse.cv' has no attribute '{name}'. Available: {', '.join(__all__)}."
    )


def __dir__():
    return sorted(set(globals()) | set(__all__))
