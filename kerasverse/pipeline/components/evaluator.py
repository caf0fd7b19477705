"""Evaluator: TFMA metrics per slice for the candidate (and the baseline), thresholds, a blessing."""

from __future__ import annotations

import json
import os
from typing import Any

import numpy as np

from kerasverse.pipeline.components.base_component import BaseComponent
from kerasverse.pipeline.components.base_component import BaseExecutor
from kerasverse.pipeline.components.base_component import ChannelParameter
from kerasverse.pipeline.components.base_component import ComponentSpec
from kerasverse.pipeline.components.base_component import ExecutionParameter
from kerasverse.pipeline.data.parquet_io import read_table
from kerasverse.pipeline.data.parquet_io import split_files
from kerasverse.pipeline.serving_model import ServingModel
from kerasverse.pipeline.tfma.config import EvalConfig
from kerasverse.pipeline.tfma.config import ModelSpec
from kerasverse.pipeline.tfma.evaluation import compute_metrics
from kerasverse.pipeline.tfma.evaluation import validate
from kerasverse.pipeline.tft.transform_output import batch_to_numpy
from kerasverse.pipeline.types import standard_artifacts
from kerasverse.pipeline.types.channel import Channel


def _evaluate_model(model_uri: str, raw: dict[str, np.ndarray], spec: ModelSpec,
                    eval_config: EvalConfig) -> dict[str, dict[str, float]]:
    serving_model = ServingModel(model_uri)
    label_key = spec.label_key or serving_model.label_key
    if not label_key:
        raise ValueError("Evaluator: no label. Fix: set tfma.ModelSpec(label_key=...) in eval_config.")
    if label_key not in raw:
        raise ValueError(f"Evaluator: label_key={label_key!r} is not a column of the examples. Columns: {sorted(raw)}")
    features = serving_model.transform_features(raw, keep_label=True)
    labels = features[label_key] if label_key in features else raw[label_key]
    predictions = serving_model.predict(raw)
    if spec.prediction_key and isinstance(predictions, dict):
        predictions = predictions[spec.prediction_key]
    weights = raw.get(spec.example_weight_key) if spec.example_weight_key else None
    return compute_metrics(eval_config, raw, np.asarray(labels), np.asarray(predictions), weights)


class EvaluatorExecutor(BaseExecutor):
    def Do(self, input_dict, output_dict, exec_properties) -> None:  # noqa: N802
        eval_config: EvalConfig = exec_properties["eval_config"]
        examples = input_dict["examples"][0]
        model = input_dict["model"][0]
        baselines = [b for b in input_dict.get("baseline_model") or [] if b.id != model.id or model.id is None]
        same_as_baseline = bool(input_dict.get("baseline_model")) and not baselines
        splits = exec_properties.get("example_splits") or ["eval"]
        files = [path for split in splits for path in split_files(examples.uri, split)]
        if not files:
            raise ValueError(f"Evaluator: no examples in splits {splits} of {examples.uri}.")
        table = read_table(files)
        raw = {}
        for batch in table.to_batches():
            for key, value in batch_to_numpy(batch).items():
                raw.setdefault(key, []).append(value)
        raw = {key: np.concatenate(parts) for key, parts in raw.items()}
        specs = [spec for spec in eval_config.model_specs if not spec.is_baseline] or [ModelSpec()]
        candidate = _evaluate_model(model.uri, raw, specs[0], eval_config)
        baseline = None
        if baselines:
            baseline_specs = [spec for spec in eval_config.model_specs if spec.is_baseline] or specs
            baseline = _evaluate_model(baselines[0].uri, raw, baseline_specs[0], eval_config)
        elif same_as_baseline:
            baseline = candidate
        validation = validate(eval_config, candidate, baseline)
        evaluation = output_dict["evaluation"][0]
        with open(os.path.join(evaluation.uri, "metrics.json"), "w") as handle:
            json.dump({"candidate": candidate, "baseline": baseline}, handle, indent=1)
        with open(os.path.join(evaluation.uri, "validations.json"), "w") as handle:
            json.dump(validation, handle, indent=1)
        blessing = output_dict["blessing"][0]
        blessed = validation["validation_ok"]
        with open(os.path.join(blessing.uri, "BLESSED" if blessed else "NOT_BLESSED"), "w"):
            pass
        blessing.set_custom_property("blessed", int(blessed))
        blessing.set_custom_property("current_model", model.uri)
        blessing.set_custom_property("current_model_id", model.id)
        if baselines or same_as_baseline:
            reference = baselines[0] if baselines else model
            blessing.set_custom_property("baseline_model", reference.uri)
            blessing.set_custom_property("baseline_model_id", reference.id)
        evaluation.set_custom_property("validation_ok", int(blessed))


class EvaluatorSpec(ComponentSpec):
    INPUTS = {
        "examples": ChannelParameter(type=standard_artifacts.Examples),
        "model": ChannelParameter(type=standard_artifacts.Model),
        "baseline_model": ChannelParameter(type=standard_artifacts.Model, optional=True),
        "schema": ChannelParameter(type=standard_artifacts.Schema, optional=True),
    }
    OUTPUTS = {
        "evaluation": ChannelParameter(type=standard_artifacts.ModelEvaluation),
        "blessing": ChannelParameter(type=standard_artifacts.ModelBlessing),
    }
    PARAMETERS = {
        "eval_config": ExecutionParameter(type=EvalConfig, optional=False),
        "example_splits": ExecutionParameter(type=list),
    }


class Evaluator(BaseComponent):
    """Evaluates a model on raw examples, per slice, against thresholds, and blesses it.

    Value thresholds apply always; change thresholds only when a baseline
    model is resolved (and a baseline that is the candidate itself compares
    equal). The `blessing` output has custom property `blessed` (1/0).

    Args:
        examples: Raw `Examples` (the model's transform is applied, as at serving time).
        model: The candidate `Model`.
        baseline_model: The baseline `Model` (e.g. a LatestBlessedModelStrategy resolver's output).
        eval_config: A `tfma.EvalConfig`.
        example_splits: Splits to evaluate on (default `["eval"]`).
        schema: Accepted, as in TFX.

    Example:

    ```python
    evaluator = tfx.components.Evaluator(examples=example_gen.outputs["examples"], model=trainer.outputs["model"],
                                         baseline_model=resolver.outputs["model"], eval_config=eval_config)
    ```
    """

    SPEC_CLASS = EvaluatorSpec
    EXECUTOR_CLASS = EvaluatorExecutor

    def __init__(self, examples: Channel, model: Channel, eval_config: EvalConfig,
                 baseline_model: Channel | None = None, schema: Channel | None = None,
                 example_splits: list[str] | None = None) -> None:
        if not isinstance(eval_config, EvalConfig):
            raise TypeError(f"Evaluator(eval_config=...) expects a tfma.EvalConfig. Received: {eval_config!r}")
        super().__init__(
            inputs={"examples": examples, "model": model, "baseline_model": baseline_model, "schema": schema},
            exec_properties={"eval_config": eval_config, "example_splits": example_splits},
        )

    def cache_inputs(self, input_dict: dict[str, Any]) -> dict[str, Any]:
        """A baseline that is the candidate itself counts as no baseline change."""
        model_ids = {artifact.id for artifact in input_dict.get("model", [])}
        baseline = [a for a in input_dict.get("baseline_model", []) if a.id not in model_ids]
        return {**input_dict, "baseline_model": baseline}
