"""Computes metrics per slice for a candidate (and baseline) model and validates thresholds."""

from __future__ import annotations

import itertools
import json
from typing import Any

import numpy as np

from kerasverse.pipeline.tfma.config import EvalConfig
from kerasverse.pipeline.tfma.config import MetricConfig
from kerasverse.pipeline.tfma.config import MetricDirection
from kerasverse.pipeline.tfma.config import SlicingSpec
from kerasverse.pipeline.tfma.config import bound_value

OVERALL = "Overall"


def slice_name(slice_key: tuple[tuple[str, str], ...]) -> str:
    return OVERALL if not slice_key else ";".join(f"{key}:{value}" for key, value in slice_key)


def _slices(spec: SlicingSpec, raw: dict[str, np.ndarray], num_rows: int):
    """Yields (slice key, row mask) for one SlicingSpec."""
    if not spec.feature_keys and not spec.feature_values:
        yield (), np.ones(num_rows, dtype=bool)
        return
    for key in list(spec.feature_keys) + list(spec.feature_values):
        if key not in raw:
            raise ValueError(f"Evaluator: SlicingSpec feature {key!r} is not a column of the examples. Columns: {sorted(raw)}")
    base = np.ones(num_rows, dtype=bool)
    fixed = []
    for key, value in spec.feature_values.items():
        base &= np.asarray([str(v) for v in raw[key]]) == str(value)
        fixed.append((key, str(value)))
    keys = list(spec.feature_keys)
    if not keys:
        yield tuple(fixed), base
        return
    texts = {key: np.asarray([str(v) for v in raw[key]]) for key in keys}
    for combination in itertools.product(*(sorted(set(texts[key][base])) for key in keys)):
        mask = base.copy()
        for key, value in zip(keys, combination):
            mask &= texts[key] == value
        if mask.any():
            yield tuple(fixed) + tuple(zip(keys, combination)), mask


def _metric(config: MetricConfig):
    import keras

    if config.class_name in ("ExampleCount", "WeightedExampleCount"):
        return None
    kwargs = json.loads(config.config) if config.config else {}
    if config.module:
        import importlib

        cls = getattr(importlib.import_module(config.module), config.class_name)
    else:
        cls = getattr(keras.metrics, config.class_name, None)
        if cls is None:
            raise ValueError(
                f"Evaluator: MetricConfig(class_name={config.class_name!r}) is not a keras.metrics class. "
                "Fix: use a Keras metric name (SparseCategoricalAccuracy, AUC, ...) or set `module`."
            )
    return cls(**kwargs)


def _weighted_mean(values: np.ndarray, weights: np.ndarray | None) -> float:
    if weights is None:
        return float(np.mean(values)) if values.size else 0.0
    total = float(np.sum(weights))
    return float(np.sum(values * weights) / total) if total else 0.0


def _sparse_categorical_accuracy(labels, predictions):
    return (np.argmax(predictions, axis=-1) == labels.reshape(-1).astype(np.int64)).astype(np.float64)


def _categorical_accuracy(labels, predictions):
    return (np.argmax(predictions, axis=-1) == np.argmax(labels, axis=-1)).astype(np.float64)


def _binary_accuracy(labels, predictions):
    return ((predictions.reshape(labels.shape) > 0.5) == labels.astype(bool)).astype(np.float64)


def _squared_error(labels, predictions):
    return ((predictions.reshape(labels.shape) - labels) ** 2).astype(np.float64)


def _absolute_error(labels, predictions):
    return np.abs(predictions.reshape(labels.shape) - labels).astype(np.float64)


# Per-example numpy forms of common Keras metrics (Keras' names and values): no
# backend op per slice, so no compilation per slice size. Others go through Keras.
_NUMPY_METRICS = {
    "SparseCategoricalAccuracy": ("sparse_categorical_accuracy", _sparse_categorical_accuracy),
    "CategoricalAccuracy": ("categorical_accuracy", _categorical_accuracy),
    "BinaryAccuracy": ("binary_accuracy", _binary_accuracy),
    "MeanSquaredError": ("mean_squared_error", _squared_error),
    "MeanAbsoluteError": ("mean_absolute_error", _absolute_error),
}


def metric_name(config: MetricConfig) -> str:
    if config.class_name == "ExampleCount":
        return "example_count"
    if config.class_name == "WeightedExampleCount":
        return "weighted_example_count"
    if config.class_name in _NUMPY_METRICS and not config.config and not config.module:
        return _NUMPY_METRICS[config.class_name][0]
    return _metric(config).name


def compute_metrics(eval_config: EvalConfig, raw: dict[str, np.ndarray], labels: np.ndarray,
                    predictions: np.ndarray, weights: np.ndarray | None = None) -> dict[str, dict[str, float]]:
    """Metrics per slice name -> metric name -> value."""
    num_rows = len(labels)
    configs = [config for spec in eval_config.metrics_specs for config in spec.metrics]
    result: dict[str, dict[str, float]] = {}
    for spec in eval_config.slicing_specs or [SlicingSpec()]:
        for key, mask in _slices(spec, raw, num_rows):
            values = {}
            for config in configs:
                if config.class_name == "ExampleCount":
                    values["example_count"] = float(mask.sum())
                    continue
                if config.class_name == "WeightedExampleCount":
                    values["weighted_example_count"] = float(weights[mask].sum() if weights is not None else mask.sum())
                    continue
                if config.class_name in _NUMPY_METRICS and not config.config and not config.module:
                    name, per_example = _NUMPY_METRICS[config.class_name]
                    values[name] = _weighted_mean(per_example(labels[mask], predictions[mask]),
                                                  None if weights is None else weights[mask])
                    continue
                metric = _metric(config)
                metric.update_state(labels[mask], predictions[mask],
                                    sample_weight=None if weights is None else weights[mask])
                values[metric.name] = float(np.asarray(metric.result()))
            result[slice_name(key)] = values
    return result


def validate(eval_config: EvalConfig, candidate: dict[str, dict[str, float]],
             baseline: dict[str, dict[str, float]] | None) -> dict[str, Any]:
    """Checks value thresholds (and change thresholds when there is a baseline).

    Returns `{"validation_ok": bool, "failures": [...], "change_thresholds_skipped": bool}`.
    """
    failures = []
    checks = []
    for spec in eval_config.metrics_specs:
        for config in spec.metrics:
            name = metric_name(config)
            if config.threshold is not None:
                checks.append((OVERALL, name, config.threshold))
            for per_slice in config.per_slice_thresholds:
                for slicing_spec in per_slice.slicing_specs:
                    for slice_key in candidate:
                        if _matches(slicing_spec, slice_key):
                            checks.append((slice_key, name, per_slice.threshold))
    skipped = baseline is None
    for slice_key, name, threshold in checks:
        value = candidate.get(slice_key, {}).get(name)
        if value is None:
            continue
        value_threshold = threshold.value_threshold
        if value_threshold is not None:
            lower, upper = bound_value(value_threshold.lower_bound), bound_value(value_threshold.upper_bound)
            if (lower is not None and value < lower) or (upper is not None and value > upper):
                failures.append({"slice": slice_key, "metric": name, "value": value, "kind": "value",
                                 "lower_bound": lower, "upper_bound": upper})
        change = threshold.change_threshold
        if change is not None and baseline is not None:
            base = baseline.get(slice_key, {}).get(name)
            if base is None:
                continue
            diff = value - base
            higher = change.direction == MetricDirection.HIGHER_IS_BETTER
            if change.direction == MetricDirection.UNKNOWN:
                raise ValueError(f"Evaluator: GenericChangeThreshold for {name} needs a direction (MetricDirection).")
            absolute, relative = bound_value(change.absolute), bound_value(change.relative)
            ok = True
            if absolute is not None:
                ok &= diff > absolute if higher else diff < absolute
            if relative is not None:
                ratio = diff / abs(base) if base else (np.inf if diff > 0 else -np.inf if diff < 0 else 0.0)
                ok &= ratio > relative if higher else ratio < relative
            if not ok:
                failures.append({"slice": slice_key, "metric": name, "value": value, "baseline": base,
                                 "kind": "change", "absolute": absolute, "relative": relative,
                                 "direction": change.direction.name})
    return {"validation_ok": not failures, "failures": failures, "change_thresholds_skipped": skipped}


def _matches(spec: SlicingSpec, slice_key: str) -> bool:
    if not spec.feature_keys and not spec.feature_values:
        return slice_key == OVERALL
    if slice_key == OVERALL:
        return False
    parts = dict(part.split(":", 1) for part in slice_key.split(";"))
    if set(parts) != set(spec.feature_keys) | set(spec.feature_values):
        return False
    return all(parts.get(key) == str(value) for key, value in spec.feature_values.items())
