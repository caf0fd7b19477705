"""TFMA's configuration messages as dataclasses (`tfma.EvalConfig`, `tfma.ModelSpec`, ...)."""

from __future__ import annotations

import dataclasses
import enum
from typing import Any


class MetricDirection(enum.IntEnum):
    UNKNOWN = 0
    LOWER_IS_BETTER = 1
    HIGHER_IS_BETTER = 2


def bound_value(bound: Any) -> float | None:
    """A bound given as TFMA's `{"value": x}` (a DoubleValue), a number, or None."""
    if bound is None:
        return None
    if isinstance(bound, dict):
        if "value" not in bound:
            raise ValueError(f"A threshold bound must look like {{'value': 0.6}}. Received: {bound!r}")
        return float(bound["value"])
    return float(bound)


@dataclasses.dataclass
class GenericValueThreshold:
    """Passes when `lower_bound <= value <= upper_bound` (each `{"value": x}`, optional)."""

    lower_bound: Any = None
    upper_bound: Any = None


@dataclasses.dataclass
class GenericChangeThreshold:
    """Compares the candidate with the baseline: `diff = candidate - baseline`.

    HIGHER_IS_BETTER passes when `diff > absolute` and `diff / |baseline| > relative`;
    LOWER_IS_BETTER when `diff < absolute` and `diff / |baseline| < relative`.
    Skipped when there is no baseline.
    """

    direction: MetricDirection = MetricDirection.UNKNOWN
    absolute: Any = None
    relative: Any = None


@dataclasses.dataclass
class MetricThreshold:
    value_threshold: GenericValueThreshold | None = None
    change_threshold: GenericChangeThreshold | None = None


@dataclasses.dataclass
class SlicingSpec:
    """A slice: `SlicingSpec()` is the whole dataset; `feature_keys=["island"]` one slice per
    value; `feature_values={"island": "Biscoe"}` one given slice."""

    feature_keys: list[str] = dataclasses.field(default_factory=list)
    feature_values: dict[str, str] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass
class PerSliceMetricThreshold:
    slicing_specs: list[SlicingSpec] = dataclasses.field(default_factory=list)
    threshold: MetricThreshold | None = None


@dataclasses.dataclass
class MetricConfig:
    """A metric by `class_name`: a `keras.metrics` class (`SparseCategoricalAccuracy`, `AUC`,
    ...) or TFMA's `ExampleCount`; `config` is a JSON string of its constructor arguments.
    `threshold` applies to the overall slice, `per_slice_thresholds` to given slices."""

    class_name: str
    module: str = ""
    config: str = ""
    threshold: MetricThreshold | None = None
    per_slice_thresholds: list[PerSliceMetricThreshold] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class MetricsSpec:
    metrics: list[MetricConfig] = dataclasses.field(default_factory=list)
    model_names: list[str] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class ModelSpec:
    """Which model and columns: `label_key` (raw or transformed label), `prediction_key`
    (an output name for multi-output models), `example_weight_key`."""

    name: str = ""
    label_key: str | None = None
    prediction_key: str | None = None
    signature_name: str = "serving_default"
    example_weight_key: str | None = None
    is_baseline: bool = False
    preprocessing_function_names: list[str] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class Options:
    compute_confidence_intervals: bool = False


@dataclasses.dataclass
class EvalConfig:
    """What the Evaluator computes: `EvalConfig(model_specs, slicing_specs, metrics_specs)`."""

    model_specs: list[ModelSpec] = dataclasses.field(default_factory=list)
    slicing_specs: list[SlicingSpec] = dataclasses.field(default_factory=list)
    metrics_specs: list[MetricsSpec] = dataclasses.field(default_factory=list)
    options: Options = dataclasses.field(default_factory=Options)
