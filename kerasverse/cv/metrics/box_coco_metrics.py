"""`BoxCOCOMetrics`: the COCO numbers as a Keras metric accumulated over batches."""

import keras
import numpy as np

from kerasverse.cv.bounding_box.dense import to_ragged
from kerasverse.cv.bounding_box.formats import check_format
from kerasverse.cv.metrics import host_transfer
from kerasverse.cv.metrics.coco import METRIC_NAMES
from kerasverse.cv.metrics.coco import compute_coco_metrics


@keras.saving.register_keras_serializable(package="kerasverse")
class BoxCOCOMetrics(keras.metrics.Metric):
    """COCO box metrics (12 numbers, identical to pycocotools) over many batches.

    `update_state` copies the batch to host memory (numpy, padding removed);
    `result` evaluates everything seen since the last `reset_state` with
    `compute_coco_metrics`. It works eagerly and inside Keras' compiled
    train/test steps: under `jax.jit` (the default JAX trainer) the batch
    reaches the host through `jax.experimental.io_callback` each time the
    step runs, and on torch the host code is kept out of `torch.compile`
    graphs. So `model.evaluate` / `fit` need no `run_eagerly=True`.

    The metric reads dicts (`y_true={"boxes", "classes"}`, `y_pred={"boxes",
    "classes", "confidence"}`), which `compile(metrics=[...])` would split
    per output key; a detector updates it from its `compute_metrics` (see
    the example in `docs/cv.md`), after decoding its raw outputs to boxes.

    Args:
        bounding_box_format: format of `y_true` and `y_pred` boxes (absolute).
        evaluate_freq: recompute in `result()` only every `evaluate_freq`
            updates (COCO evaluation is the expensive part); in between,
            the last numbers are returned. `result(force=True)` always
            recomputes. Keras reads `result()` after every step, so with
            `evaluate_freq > 1` the logs of `evaluate` / `fit` may miss the
            last batches; call `metric.result(force=True)` afterwards.
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
        host_transfer.wait_for_host()  # batches of an earlier compiled run land before the reset
        self._true = {"boxes": [], "classes": []}
        self._pred = {"boxes": [], "classes": [], "confidence": []}
        self._updates_since_result = 0
        self._cached = dict.fromkeys(METRIC_NAMES, -1.0)

    def update_state(self, y_true, y_pred, sample_weight=None):
        if sample_weight is not None:
            raise ValueError("`BoxCOCOMetrics` does not support `sample_weight`. Received a sample_weight.")
        try:
            true = {k: y_true[k] for k in ("boxes", "classes")}
            pred = {k: y_pred[k] for k in ("boxes", "classes", "confidence")}
            if "num_detections" in y_pred:
                pred["num_detections"] = y_pred["num_detections"]
        except (KeyError, TypeError) as error:
            raise ValueError(
                "`BoxCOCOMetrics.update_state` expects y_true={'boxes', 'classes'} and "
                f"y_pred={{'boxes', 'classes', 'confidence'}}. Received an error: {error!r} with "
                f"y_true of type {type(y_true).__name__} and y_pred of type {type(y_pred).__name__}."
            ) from None
        host_transfer.send_to_host(self._append, true, pred)

    def _append(self, true, pred):
        """Host side of `update_state`: numpy arrays in, padding removed, stored."""
        if "num_detections" in pred:
            counts = np.reshape(pred.pop("num_detections"), (-1,))
            slots = np.arange(pred["classes"].shape[1])[None, :] >= counts[:, None]
            pred["classes"] = np.where(slots, -1, pred["classes"])
        for source, store in ((true, self._true), (pred, self._pred)):
            ragged = to_ragged(source)
            for key in store:
                store[key].extend(ragged[key])
        self._updates_since_result += 1

    def result(self, force=False):
        if host_transfer.in_compiled_function():
            # Inside a compiled step: evaluate on the host when the step runs.
            values = host_transfer.read_from_host(
                lambda: [self._host_result(force)[name] for name in METRIC_NAMES], len(METRIC_NAMES)
            )
            return {name: values[i] for i, name in enumerate(METRIC_NAMES)}
        return host_transfer.call_on_host(self._host_result, force)

    def _host_result(self, force):
        if force or self._updates_since_result >= self.evaluate_freq:
            if self._true["boxes"]:
                self._cached = compute_coco_metrics(self._true, self._pred, self.bounding_box_format)
            self._updates_since_result = 0
        return dict(self._cached)

    def get_config(self):
        config = super().get_config()
        config.update({"bounding_box_format": self.bounding_box_format, "evaluate_freq": self.evaluate_freq})
        return config
