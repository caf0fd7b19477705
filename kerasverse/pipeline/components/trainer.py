"""Trainer: runs the module file's `run_fn(fn_args)`; the model leaves with its transform."""

from __future__ import annotations

import json
import os
import shutil
from typing import Any

from kerasverse.pipeline import proto
from kerasverse.pipeline.components.base_component import BaseComponent
from kerasverse.pipeline.components.base_component import BaseExecutor
from kerasverse.pipeline.components.base_component import ChannelParameter
from kerasverse.pipeline.components.base_component import ComponentSpec
from kerasverse.pipeline.components.base_component import ExecutionParameter
from kerasverse.pipeline.components.trainer_fn_args import FnArgs
from kerasverse.pipeline.data.parquet_io import split_files
from kerasverse.pipeline.data.schema import SCHEMA_FILE
from kerasverse.pipeline.tft.module_loader import load_fn
from kerasverse.pipeline.tft.transform_output import TRANSFORM_DIR
from kerasverse.pipeline.tft.transform_output import TRANSFORM_FILE
from kerasverse.pipeline.types import standard_artifacts
from kerasverse.pipeline.types.channel import Channel

SERVING_DIR = "Format-Serving"
MODEL_FILE = "model.keras"


def build_fn_args(component: str, input_dict, exec_properties: dict[str, Any], working_dir: str) -> FnArgs:
    examples = input_dict["examples"][0]
    train_args = exec_properties.get("train_args") or proto.TrainArgs()
    eval_args = exec_properties.get("eval_args") or proto.EvalArgs()
    files = {}
    for kind, splits in (("train", train_args.splits), ("eval", eval_args.splits)):
        for split in splits:
            if split not in examples.splits():
                raise ValueError(f"{component}: {kind} split {split!r} is not in the examples (splits: {examples.splits()}).")
        files[kind] = [path for split in splits for path in split_files(examples.uri, split)]
    schema = (input_dict.get("schema") or [None])[0]
    transform_graph = (input_dict.get("transform_graph") or [None])[0]
    hyperparameters = exec_properties.get("hyperparameters")
    hp_artifacts = input_dict.get("hyperparameters") or []
    if hp_artifacts:
        with open(os.path.join(hp_artifacts[0].uri, "best_hyperparameters.txt")) as handle:
            hyperparameters = json.load(handle)
    base_model = (input_dict.get("base_model") or [None])[0]
    schema_path = os.path.join(schema.uri, SCHEMA_FILE) if schema else None
    return FnArgs(
        working_dir=working_dir,
        train_files=files["train"], eval_files=files["eval"],
        train_steps=train_args.num_steps, eval_steps=eval_args.num_steps,
        schema_path=schema_path, schema_file=schema_path,
        transform_graph_path=transform_graph.uri if transform_graph else None,
        transform_output=transform_graph.uri if transform_graph else None,
        hyperparameters=hyperparameters,
        custom_config=dict(exec_properties.get("custom_config") or {}),
        base_model=os.path.join(base_model.uri, SERVING_DIR) if base_model else None,
    )


CLOUD_KEY = "cloud"  # custom_config key: keyword arguments of `kerasverse.cloud.run`.
_CLOUD_RESERVED = ("entry_point", "args", "kwargs", "wait", "entry_point_args")


def cloud_run_args(custom_config: dict[str, Any] | None) -> dict[str, Any] | None:
    """`custom_config["cloud"]` checked: None (train here) or the `cloud.run` keyword arguments."""
    config = (custom_config or {}).get(CLOUD_KEY)
    if config is None:
        return None
    if config is True:
        config = {}
    if not isinstance(config, dict):
        raise ValueError(
            "Trainer: custom_config['cloud'] must be a dict of `kerasverse.cloud.run` keyword arguments "
            f"(e.g. {{'worker_count': 1}}). Received: {config!r}"
        )
    reserved = sorted(set(config) & set(_CLOUD_RESERVED))
    if reserved:
        raise ValueError(
            f"Trainer: custom_config['cloud'] cannot set {reserved}: the Trainer runs the module's run_fn "
            "itself. Fix: remove them (pass run_fn's inputs through custom_config)."
        )
    return dict(config)


def _run_fn_in_cloud_process(module_file: str | None, run_fn: Any, fn_args: FnArgs) -> list[str]:
    """What each process of the `cloud.run` job runs; the chief's label keys come back."""
    load_fn("Trainer", "run_fn", module_file=module_file, fn=run_fn)(fn_args)
    return list(fn_args.data_accessor.label_keys)


class TrainerExecutor(BaseExecutor):
    def Do(self, input_dict, output_dict, exec_properties) -> None:  # noqa: N802
        model = output_dict["model"][0]
        model_run = output_dict["model_run"][0]
        module_file = exec_properties.get("module_file")
        run_fn = load_fn("Trainer", "run_fn", module_file=module_file, fn=exec_properties.get("run_fn"))
        fn_args = build_fn_args("Trainer", input_dict, exec_properties, working_dir=model_run.uri)
        fn_args.serving_model_dir = os.path.join(model.uri, SERVING_DIR)
        fn_args.eval_model_dir = fn_args.serving_model_dir
        fn_args.model_run_dir = model_run.uri
        os.makedirs(fn_args.serving_model_dir, exist_ok=True)
        cloud_args = cloud_run_args(fn_args.custom_config)
        if cloud_args is None:
            run_fn(fn_args)
        else:
            self._run_on_cloud(module_file, exec_properties.get("run_fn"), fn_args, cloud_args)
        saved = os.path.join(fn_args.serving_model_dir, MODEL_FILE)
        if not os.path.isfile(saved):
            raise ValueError(
                f"Trainer: run_fn in {module_file or exec_properties.get('run_fn')} saved no model at "
                f"fn_args.serving_model_dir/{MODEL_FILE}. Fix: end run_fn with "
                f"`model.save(os.path.join(fn_args.serving_model_dir, '{MODEL_FILE}'))`."
            )
        if fn_args.transform_output:
            target = os.path.join(fn_args.serving_model_dir, TRANSFORM_DIR)
            shutil.copytree(os.path.join(fn_args.transform_output, TRANSFORM_DIR), target, dirs_exist_ok=True)
            label_key = fn_args.custom_config.get("label_key") or (fn_args.data_accessor.label_keys or [None])[0]
            path = os.path.join(target, TRANSFORM_FILE)
            with open(path) as handle:
                document = json.load(handle)
            document["label_key"] = label_key
            with open(path, "w") as handle:
                json.dump(document, handle, indent=1)


    @staticmethod
    def _run_on_cloud(module_file, run_fn, fn_args: FnArgs, cloud_args: dict[str, Any]) -> None:
        """`run_fn` on `1 + worker_count` processes of a Ray cluster through `kerasverse.cloud.run`
        (function form): synchronously data-parallel, the chief saving the model."""
        from kerasverse import cloud

        cloud_args.setdefault("checkpoint_dir", os.path.join(fn_args.model_run_dir, "cloud"))
        try:
            result = cloud.run(_run_fn_in_cloud_process, args=(module_file, run_fn, fn_args), **cloud_args)
        except cloud.JobFailedError as error:
            raise RuntimeError(f"Trainer: the cloud.run job running run_fn failed: {error}") from error
        for key in result.result or []:
            if key not in fn_args.data_accessor.label_keys:
                fn_args.data_accessor.label_keys.append(key)
        with open(os.path.join(fn_args.model_run_dir, "cloud_job.json"), "w") as handle:
            json.dump({"job_id": result.job_id, "num_processes": result.num_processes, "status": result.status},
                      handle, indent=1)


class TrainerSpec(ComponentSpec):
    INPUTS = {
        "examples": ChannelParameter(type=standard_artifacts.Examples),
        "transform_graph": ChannelParameter(type=standard_artifacts.TransformGraph, optional=True),
        "schema": ChannelParameter(type=standard_artifacts.Schema, optional=True),
        "base_model": ChannelParameter(type=standard_artifacts.Model, optional=True),
        "hyperparameters": ChannelParameter(type=standard_artifacts.HyperParameters, optional=True),
    }
    OUTPUTS = {
        "model": ChannelParameter(type=standard_artifacts.Model),
        "model_run": ChannelParameter(type=standard_artifacts.ModelRun),
    }
    PARAMETERS = {
        "module_file": ExecutionParameter(type=str),
        "run_fn": ExecutionParameter(type=object),
        "train_args": ExecutionParameter(type=proto.TrainArgs),
        "eval_args": ExecutionParameter(type=proto.EvalArgs),
        "custom_config": ExecutionParameter(type=dict),
    }


class Trainer(BaseComponent):
    """Trains a Keras model with the module file's `run_fn(fn_args)`.

    `run_fn` must save the model to `fn_args.serving_model_dir/model.keras`;
    with a `transform_graph`, the fitted transform is copied beside it, so the
    pushed folder serves raw rows.

    Args:
        module_file: A Python file defining `run_fn(fn_args)`.
        examples: The (transformed) `Examples` to train on.
        transform_graph: The Transform's `TransformGraph` (optional).
        schema: A `Schema` (optional; `fn_args.schema_path`).
        base_model: A `Model` to warm-start from (`fn_args.base_model`).
        hyperparameters: The Tuner's `best_hyperparameters` (`fn_args.hyperparameters`, a config dict).
        train_args: `proto.TrainArgs(num_steps=...)` (`fn_args.train_steps`).
        eval_args: `proto.EvalArgs(num_steps=...)` (`fn_args.eval_steps`).
        custom_config: A dict passed as `fn_args.custom_config`. Its key
            `"cloud"` -- a dict of `kerasverse.cloud.run` keyword arguments
            (`worker_count`, `cluster`, `chief_config`, `max_failures`, ...) --
            runs `run_fn` on `1 + worker_count` processes of a Ray cluster,
            synchronously data-parallel (TFX's Trainer on a training service);
            the chief writes the model to `fn_args.serving_model_dir`. The module
            file must be readable at the same path on every node.
        run_fn: Instead of `module_file`: 'package.module.run_fn' or a function.

    Example:

    ```python
    trainer = tfx.components.Trainer(module_file="module.py", examples=transform.outputs["transformed_examples"],
                                     transform_graph=transform.outputs["transform_graph"],
                                     train_args=tfx.proto.TrainArgs(num_steps=100),
                                     eval_args=tfx.proto.EvalArgs(num_steps=5))
    # The same run_fn, data-parallel on 2 processes of a (local) Ray cluster:
    trainer = tfx.components.Trainer(..., custom_config={"cloud": {"worker_count": 1}})
    ```
    """

    SPEC_CLASS = TrainerSpec
    EXECUTOR_CLASS = TrainerExecutor

    def __init__(self, examples: Channel, module_file: str | None = None, transform_graph: Channel | None = None,
                 schema: Channel | None = None, base_model: Channel | None = None,
                 hyperparameters: Channel | None = None, train_args: proto.TrainArgs | None = None,
                 eval_args: proto.EvalArgs | None = None, custom_config: dict | None = None,
                 run_fn: Any = None) -> None:
        if (module_file is None) == (run_fn is None):
            raise ValueError("Trainer: give exactly one of `module_file` and `run_fn`.")
        super().__init__(
            inputs={"examples": examples, "transform_graph": transform_graph, "schema": schema,
                    "base_model": base_model, "hyperparameters": hyperparameters},
            exec_properties={"module_file": os.path.abspath(module_file) if module_file else None, "run_fn": run_fn,
                             "train_args": train_args, "eval_args": eval_args, "custom_config": custom_config},
        )
