"""`EditDistance`: Levenshtein distance between token sequences."""

import keras
import numpy as np

from kerasverse.nlp.metrics import text_metric


def levenshtein(reference, hypothesis):
    """Insertions + deletions + substitutions turning `hypothesis` into `reference`."""
    if len(reference) < len(hypothesis):
        reference, hypothesis = hypothesis, reference
    previous = list(range(len(hypothesis) + 1))
    for i, r in enumerate(reference, 1):
        current = [i]
        for j, h in enumerate(hypothesis, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (r != h)))
        previous = current
    return previous[-1]


def _sequences(value, name):
    value = text_metric.to_python(value)
    if isinstance(value, str):
        raise TypeError(
            f"`{name}` must be tokenized: a list of tokens or a list of such lists. "
            f"Received the string {value!r:.60}; split it first, e.g. `text.split()`."
        )
    if not isinstance(value, list):
        raise TypeError(f"`{name}` must be a list of tokens or a list of lists. Received: {value!r:.80}")
    if value and all(isinstance(v, list) for v in value):
        return value
    if any(isinstance(v, list) for v in value):
        raise ValueError(f"`{name}` mixes tokens and token lists. Received: {value!r:.80}")
    return [value]


@keras.saving.register_keras_serializable(package="kerasverse")
class EditDistance(keras.metrics.Metric):
    """Levenshtein (edit) distance between reference and predicted tokens.

    Same signature and numbers as `keras_hub.metrics.EditDistance`: with
    `normalize=True` the result is the summed distance divided by the summed
    reference length (word/character error rate); otherwise the mean
    distance per sample. Host-side.

    Args:
        normalize: bool. Divide by the reference length. Defaults to `True`.
        dtype: float dtype of the result. Defaults to `"float32"`.
        name: the metric name. Defaults to `"edit_distance"`.

    Example:

    ```python
    metric = EditDistance()
    y_true = "the tiny little cat was found under the big funny bed".split()
    y_pred = "the cat was found under the bed".split()
    metric(y_true, y_pred)  # 0.36363637
    ```
    """

    def __init__(self, normalize=True, dtype="float32", name="edit_distance", **kwargs):
        super().__init__(name=name, dtype=dtype, **kwargs)
        if "float" not in str(keras.backend.standardize_dtype(dtype)):
            raise ValueError(f"`dtype` must be a floating point type. Received: dtype={dtype}")
        self.normalize = normalize
        self._aggregate_distance = self.add_variable(shape=(), initializer="zeros", dtype=self.dtype, name="aggregate_distance")
        self._denominator = self.add_variable(shape=(), initializer="zeros", dtype=self.dtype, name="denominator")

    def update_state(self, y_true, y_pred, sample_weight=None):
        references = _sequences(y_true, "y_true")
        hypotheses = _sequences(y_pred, "y_pred")
        if len(references) != len(hypotheses):
            raise ValueError(
                "`y_true` and `y_pred` must hold as many sequences. Received: "
                f"{len(references)} and {len(hypotheses)}."
            )
        distance = sum(levenshtein(r, h) for r, h in zip(references, hypotheses))
        denominator = sum(len(r) for r in references) if self.normalize else len(references)
        self._aggregate_distance.assign(float(text_metric.read(self._aggregate_distance)) + distance)
        self._denominator.assign(float(text_metric.read(self._denominator)) + denominator)

    def result(self):
        denominator = float(text_metric.read(self._denominator))
        if denominator == 0:
            return np.float32(0.0)
        return np.float32(float(text_metric.read(self._aggregate_distance)) / denominator)

    def reset_state(self):
        self._aggregate_distance.assign(0.0)
        self._denominator.assign(0.0)

    def get_config(self):
        config = super().get_config()
        config["normalize"] = self.normalize
        return config
