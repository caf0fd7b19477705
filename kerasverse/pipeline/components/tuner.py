"""Tuner: runs the module file's `tuner_fn(fn_args)` search with `kerasverse.tuner`."""

from __future__ import annotations

import json
import os
from typing import Any
from typing import NamedTuple

from kerasverse.pipeline import proto
from kerasverse.pipeline.components.base_component import BaseComponent
from kerasverse.pipeline.components.base_component import BaseExecutor
from kerasverse.pipeline.components.base_component import ChannelParameter
from kerasverse.pipeline.components.base_component import ComponentSpec
from kerasverse.pipeline.components.base_component import ExecutionParameter
from kerasverse.pipeline.components.trainer import build_fn_args
from kerasverse.pipeline.tft.module_loader import load_fn
from kerasverse.pipeline.types import standard_artifacts
from kerasverse.pipeline.types.channel import Channel

BEST_HYPERPARAMETERS_FILE = "best_hyperparameters.txt"


class TunerFnResult(NamedTuple):
    """What `tuner_fn` returns: a `kerasverse.tuner` tuner and the keyword arguments of its `search`."""

    tuner: Any
    fit_kwargs: dict[str, Any]


class TunerExecutor(BaseExecutor):
    def Do(self, input_dict, output_dict, exec_properties) -> None:  # noqa: N802
        module_file = exec_properties.get("module_file")
        tuner_fn = load_fn("Tuner", "tuner_fn", module_file=module_file, fn=exec_properties.get("tuner_fn"))
        working_dir = os.path.join(self.context.tmp_dir or output_dict["tuner_results"][0].uri, "tuner")
        os.makedirs(working_dir, exist_ok=True)
        fn_args = build_fn_args("Tuner", input_dict, exec_properties, working_dir=working_dir)
        result = tuner_fn(fn_args)
        if not (hasattr(result, "tuner") and hasattr(result, "fit_kwargs")):
            raise ValueError(
                f"Tuner: tuner_fn in {module_file} returned {type(result).__name__}; expected "
                "tfx.TunerFnResult(tuner=..., fit_kwargs={...})."
            )
        result.tuner.search(**result.fit_kwargs)
        best = result.tuner.get_best_hyperparameters(1)[0]
        with open(os.path.join(output_dict["best_hyperparameters"][0].uri, BEST_HYPERPARAMETERS_FILE), "w") as handle:
            json.dump(best.get_config(), handle, indent=1)
        trials = [{"trial_id": trial.trial_id, "score": trial.score, "hyperparameters": trial.hyperparameters.values}
                  for trial in result.tuner.oracle.get_best_trials(len(result.tuner.oracle.trials))]
        with open(os.path.join(output_dict["tuner_results"][0].uri, "tuner_results.json"), "w") as handle:
            json.dump(trials, handle, indent=1, default=str)


class TunerSpec(ComponentSpec):
    INPUTS = {
        "examples": ChannelParameter(type=standard_artifacts.Examples),
        "schema": ChannelParameter(type=standard_artifacts.Schema, optional=True),
        "transform_graph": ChannelParameter(type=standard_artifacts.TransformGraph, optional=True),
        "base_model": ChannelParameter(type=standard_artifacts.Model, optional=True),
    }
    OUTPUTS = {
        "best_hyperparameters": ChannelParameter(type=standard_artifacts.HyperParameters),
        "tuner_results": ChannelParameter(type=standard_artifacts.TunerResults),
    }
    PARAMETERS = {
        "module_file": ExecutionParameter(type=str),
        "tuner_fn": ExecutionParameter(type=object),
        "train_args": ExecutionParameter(type=proto.TrainArgs),
        "eval_args": ExecutionParameter(type=proto.EvalArgs),
        "tune_args": ExecutionParameter(type=proto.TuneArgs),
        "custom_config": ExecutionParameter(type=dict),
    }


class Tuner(BaseComponent):
    """Searches hyperparameters with the module file's `tuner_fn(fn_args) -> TunerFnResult`.

    Outputs `best_hyperparameters` (`best_hyperparameters.txt`, a
    `HyperParameters.get_config()` JSON) for the Trainer's `hyperparameters`.

    Args:
        module_file: A Python file defining `tuner_fn(fn_args)`.
        examples: The (transformed) `Examples`.
        schema, transform_graph, base_model: Optional, as for Trainer.
        train_args, eval_args: `proto.TrainArgs` / `proto.EvalArgs` (`fn_args.train_steps`, ...).
        tune_args: `proto.TuneArgs` (accepted; trials run one after the other).
        custom_config: `fn_args.custom_config`.
        tuner_fn: Instead of `module_file`.

    Example:

    ```python
    tuner = tfx.components.Tuner(module_file="module.py", examples=transform.outputs["transformed_examples"],
                                 transform_graph=transform.outputs["transform_graph"],
                                 train_args=tfx.proto.TrainArgs(num_steps=20),
                                 eval_args=tfx.proto.EvalArgs(num_steps=5))
    ```
    """

    SPEC_CLASS = TunerSpec
    EXECUTOR_CLASS = TunerExecutor

    def __init__(self, examples: Channel, module_file: str | None = None, schema: Channel | None = None,
                 transform_graph: Channel | None = None, base_model: Channel | None = None,
                 train_args: proto.TrainArgs | None = None, eval_args: proto.EvalArgs | None = None,
                 tune_args: proto.TuneArgs | None = None, custom_config: dict | None = None,
                 tuner_fn: Any = None) -> None:
        if (module_file is None) == (tuner_fn is None):
            raise ValueError("Tuner: give exactly one of `module_file` and `tuner_fn`.")
        super().__init__(
            inputs={"examples": examples, "schema": schema, "transform_graph": transform_graph, "base_model": base_model},
            exec_properties={"module_file": os.path.abspath(module_file) if module_file else None,
                             "tuner_fn": tuner_fn, "train_args": train_args, "eval_args": eval_args,
                             "tune_args": tune_args, "custom_config": custom_config},
        )
