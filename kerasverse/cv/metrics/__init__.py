"""kerasverse.cv.metrics: COCO box metrics identical to pycocotools.

- `compute_coco_metrics(y_true, y_pred, bounding_box_format)`: a plain
  function returning the 12 COCO numbers.
- `BoxCOCOMetrics`: the same as a Keras metric accumulating over batches.
"""

from kerasverse.cv.metrics.box_coco_metrics import BoxCOCOMetrics
from kerasverse.cv.metrics.coco import METRIC_NAMES
from kerasverse.cv.metrics.coco import compute_coco_metrics

__all__ = ["METRIC_NAMES", "BoxCOCOMetrics", "compute_coco_metrics"]
