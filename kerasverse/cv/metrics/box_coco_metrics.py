"""`BoxCOCOMetrics`: the COCO numbers as a Keras metric accumulated over batches."""

import keras
import numpy as np

from kerasverse.cv.bounding_box.dense import _to_numpy
from kerasverse.cv.bounding_box.dense import to_ragged
from kerasverse.cv.bounding_box.formats import check_format
from kerasverse.cv.metrics.coco import METRIC_NAMES
from kerasverse.cv.metrics.coco import compute_coco_metrics


@keras.saving.register_keras_serializable(package="kerasverse")
class BoxCOCOMetrics(keras.metrics.Metric):
    """COCO box metrics (12 numbers, identical to pycocotools) over many batches.

    `update_state` copies the batch to host memory (numpy, padding removed);
    `result` evaluates everything seen since the last `reset_state` with
    `compute_coco_metrics`. Because the state is host data, use the metric
    eagerly: in `model.compile(..., run_eagerly=True)`, in a callback, or by
    calling it yourself on `model.predict` outputs. Inside a traced function
    (`jax.jit`) `update_state` raises a `ValueError` saying so.

    Args:
        bounding_box_format: format of `y_true` and `y_pred` boxes (absolute).
        evaluate_freq: recompute in `result()` only every `evaluate_freq`
            updates (COCO evaluation is the expensive part); in between,
            the last numbers are returned. `result(force=True)` always
            recomputes.
        name: metric name.

    Example:

    >>> import numpy as np
    >>> metric = BoxCOCOMetrics("xyxy")
    >>> y_true = {"boxes": np.array([[[0, 0, 50, 50]]], "float32"), "classes": np.array([[0]])}
    >>> y_pred = {"boxes": np.array([[[0, 0, 50, 45]]], "float32"), "classes": np.array([[0]]),
    ...           "confidence": np.array([[0.9]])}
    >>> metric.update_state(y_true, y_pred)
    >>> round(metric.result()["MaP@[IoU=50]"], 6)
    1.0
    """

    def __init__(self, bounding_box_format, evaluate_freq=1, name="box_coco_metrics", **kwargs):
        super().__init__(name=name, **kwargs)
        self.bounding_box_format = check_format(bounding_box_format)
        if int(evaluate_freq) < 1:
            raise ValueError(f"`evaluate_freq` must be >= 1. Received: evaluate_freq={evaluate_freq}.")
        self.evaluate_freq = int(evaluate_freq)
        self.reset_state()

    def reset_state(self):
        self._true = {"boxes": [], "classes": []}
        self._pred = {"boxes": [], "classes": [], "confidence": []}
        self._updates_since_result = 0
        self._cached = dict.fromkeys(METRIC_NAMES, -1.0)

    def update_state(self, y_true, y_pred, sample_weight=None):
        if sample_weight is not None:
            raise ValueError("`BoxCOCOMetrics` does not support `sample_weight`. Received a sample_weight.")
        try:
            true = {k: _to_numpy(y_true[k]) for k in ("boxes", "classes")}
            pred = {k: _to_numpy(y_pred[k]) for k in ("boxes", "classes", "confidence")}
            if "num_detections" in y_pred:
                counts = _to_numpy(y_pred["num_detections"]).reshape(-1)
                slots = np.arange(pred["classes"].shape[1])[None, :] >= counts[:, None]
                pred["classes"] = np.where(slots, -1, pred["classes"])
        except (KeyError, TypeError) as error:
            raise ValueError(
                "`BoxCOCOMetrics.update_state` expects y_true={'boxes', 'classes'} and "
                f"y_pred={{'boxes', 'classes', 'confidence'}}. Received an error: {error}"
            ) from None
        except Exception as error:  # a tracer cannot become numpy
            raise ValueError(
                "`BoxCOCOMetrics` keeps its state on the host and cannot run inside a compiled "
                "function. Use `model.compile(..., run_eagerly=True)` or update it on `predict` "
                f"outputs. Received: {type(error).__name__}"
            ) from None
        for source, store in ((true, self._true), (pred, self._pred)):
            ragged = to_ragged(source)
            for key in store:
                store[key].extend(ragged[key])
        self._updates_since_result += 1

    def result(self, force=False):
        if force or self._updates_since_result >= self.evaluate_freq:
            if self._true["boxes"]:
                self._cached = compute_coco_metrics(self._true, self._pred, self.bounding_box_format)
            self._updates_since_result = 0
        return dict(self._cached)

    def get_config(self):
        config = super().get_config()
        config.update({"bounding_box_format": self.bounding_box_format, "evaluate_freq": self.evaluate_freq})
        return config
