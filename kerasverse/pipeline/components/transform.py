"""Transform: fits `preprocessing_fn`'s analyzers on the train split, saves the host-side
transform (`transform/transform.json`), and writes the transformed splits."""

from __future__ import annotations

import json
import os
from typing import Any

import numpy as np

from kerasverse.pipeline import proto
from kerasverse.pipeline.components.base_component import BaseComponent
from kerasverse.pipeline.components.base_component import BaseExecutor
from kerasverse.pipeline.components.base_component import ChannelParameter
from kerasverse.pipeline.components.base_component import ComponentSpec
from kerasverse.pipeline.components.base_component import ExecutionParameter
from kerasverse.pipeline.data.parquet_io import _pyarrow
from kerasverse.pipeline.data.parquet_io import iter_batches
from kerasverse.pipeline.data.parquet_io import split_files
from kerasverse.pipeline.data.schema import load_schema
from kerasverse.pipeline.data.schema import schema_features
from kerasverse.pipeline.tft.module_loader import load_fn
from kerasverse.pipeline.tft.transform_output import analyze
from kerasverse.pipeline.tft.transform_output import apply_transform
from kerasverse.pipeline.tft.transform_output import batch_to_numpy
from kerasverse.pipeline.tft.transform_output import feature_spec
from kerasverse.pipeline.tft.transform_output import raw_features_from_schema
from kerasverse.pipeline.tft.transform_output import save_transform
from kerasverse.pipeline.types import standard_artifacts
from kerasverse.pipeline.types.channel import Channel


def outputs_to_batch(outputs: dict[str, np.ndarray]):
    """Transformed numpy columns as a pyarrow RecordBatch (2-D columns as fixed-size lists)."""
    pa = _pyarrow()
    arrays, names = [], []
    for key, array in outputs.items():
        if array.dtype.kind in "OSU":
            arrow = pa.array([str(value) for value in array.ravel()], type=pa.string())
        elif array.ndim == 1:
            arrow = pa.array(array)
        elif array.ndim == 2:
            arrow = pa.FixedSizeListArray.from_arrays(pa.array(array.ravel()), array.shape[1])
        else:
            raise ValueError(f"Transform: output {key!r} has shape {array.shape}; only scalars and vectors per row are supported.")
        arrays.append(arrow)
        names.append(key)
    return pa.RecordBatch.from_arrays(arrays, names=names)


def _check_columns(columns: dict[str, np.ndarray], raw_features: dict[str, Any], path: str) -> None:
    missing = sorted(set(raw_features) - set(columns))
    if missing:
        raise ValueError(
            f"Transform: {path} lacks the schema's features {missing} (columns: {sorted(columns)}). "
            "The schema no longer matches the data. Fix: regenerate the schema (SchemaGen) or edit schema.json."
        )


def _transform_file(job: tuple) -> int:
    """Transforms one Parquet shard (a Ray task under RayDagRunner). `job[0]` is the module
    file (reloaded in the worker) or, for an in-process function, the function itself."""
    module_file, fn_path, values, raw_features, source, target = job
    preprocessing_fn = module_file if callable(module_file) else load_fn(
        "Transform", "preprocessing_fn", module_file=module_file, fn=fn_path)
    pa = _pyarrow()
    writer, rows = None, 0
    for batch in iter_batches([source]):
        columns = batch_to_numpy(batch)
        _check_columns(columns, raw_features, source)
        out = outputs_to_batch(apply_transform(preprocessing_fn, values, columns))
        if writer is None:
            writer = pa.parquet.ParquetWriter(target, out.schema)
        writer.write_batch(out)
        rows += out.num_rows
    if writer is not None:
        writer.close()
    return rows


class TransformExecutor(BaseExecutor):
    def Do(self, input_dict, output_dict, exec_properties) -> None:  # noqa: N802
        examples = input_dict["examples"][0]
        schema = load_schema(input_dict["schema"][0].uri)
        module_file = exec_properties.get("module_file")
        fn_path = exec_properties.get("preprocessing_fn")
        preprocessing_fn = load_fn("Transform", "preprocessing_fn", module_file=module_file, fn=fn_path)
        splits_config = exec_properties.get("splits_config") or proto.SplitsConfig(
            analyze=["train"], transform=examples.splits())
        raw_features = raw_features_from_schema(schema)
        for split in splits_config.analyze + splits_config.transform:
            if split not in examples.splits():
                raise ValueError(f"Transform: split {split!r} is not in the examples (splits: {examples.splits()}).")
        analyze_files = [path for split in splits_config.analyze for path in split_files(examples.uri, split)]

        def batches():
            for batch in iter_batches(analyze_files):
                columns = batch_to_numpy(batch)
                _check_columns(columns, raw_features, examples.uri)
                yield {key: columns[key] for key in raw_features if key in columns}

        values, names = analyze(preprocessing_fn, batches)
        # The transformed feature spec, from one transformed row.
        first = next(iter(iter_batches(analyze_files, batch_size=2)))
        columns = batch_to_numpy(first)
        sample = apply_transform(preprocessing_fn, values, {key: columns[key] for key in raw_features if key in columns})
        transform_graph = output_dict["transform_graph"][0]
        save_transform(transform_graph.uri, module_file, "preprocessing_fn", values, names, raw_features,
                       feature_spec(sample), fn_path=fn_path if isinstance(fn_path, str) else None)
        self._write_schema(transform_graph.uri, schema)
        transformed = output_dict["transformed_examples"][0]
        jobs = []
        for split in splits_config.transform:
            os.makedirs(transformed.split_uri(split), exist_ok=True)
            for index, source in enumerate(split_files(examples.uri, split)):
                target = os.path.join(transformed.split_uri(split), f"data-{index:05d}.parquet")
                if module_file or isinstance(fn_path, str):
                    jobs.append((module_file, fn_path if isinstance(fn_path, str) else None, values, raw_features,
                                 source, target))
                else:  # A function object: transformed here (it may not pickle to a worker).
                    jobs.append((preprocessing_fn, None, values, raw_features, source, target))
        if jobs and callable(jobs[0][0]):
            rows = [_transform_file(job) for job in jobs]
        else:
            rows = self.parallel_map(_transform_file, jobs)
        transformed.split_names = json.dumps(list(splits_config.transform))
        transformed.span = examples.span or 0
        transformed.set_custom_property("num_rows", int(sum(rows)))

    @staticmethod
    def _write_schema(uri: str, schema: dict[str, Any]) -> None:
        with open(os.path.join(uri, "transform", "raw_schema.json"), "w") as handle:
            json.dump({"feature": list(schema_features(schema).values()),
                       **({"string_domain": schema["string_domain"]} if "string_domain" in schema else {})}, handle, indent=1)


class TransformSpec(ComponentSpec):
    INPUTS = {
        "examples": ChannelParameter(type=standard_artifacts.Examples),
        "schema": ChannelParameter(type=standard_artifacts.Schema),
    }
    OUTPUTS = {
        "transform_graph": ChannelParameter(type=standard_artifacts.TransformGraph),
        "transformed_examples": ChannelParameter(type=standard_artifacts.Examples),
    }
    PARAMETERS = {
        "module_file": ExecutionParameter(type=str),
        "preprocessing_fn": ExecutionParameter(type=object),
        "splits_config": ExecutionParameter(type=proto.SplitsConfig),
    }


class Transform(BaseComponent):
    """Fits `preprocessing_fn` (with `kerasverse.pipeline.tft` analyzers) on the train split
    and applies it to every split; the fitted transform travels with the model.

    Args:
        examples: The raw `Examples`.
        schema: The raw data's `Schema`.
        module_file: A Python file defining `preprocessing_fn(inputs) -> dict`.
        preprocessing_fn: Instead of `module_file`: 'package.module.function' (or a function,
            which then cannot be reloaded at serving time from the saved transform).
        splits_config: `proto.SplitsConfig(analyze=["train"], transform=["train", "eval"])`.

    Example:

    ```python
    transform = tfx.components.Transform(examples=example_gen.outputs["examples"],
                                         schema=schema_gen.outputs["schema"], module_file="module.py")
    ```
    """

    SPEC_CLASS = TransformSpec
    EXECUTOR_CLASS = TransformExecutor

    def __init__(self, examples: Channel, schema: Channel, module_file: str | None = None,
                 preprocessing_fn: Any = None, splits_config: proto.SplitsConfig | None = None) -> None:
        if (module_file is None) == (preprocessing_fn is None):
            raise ValueError("Transform: give exactly one of `module_file` and `preprocessing_fn`.")
        super().__init__(inputs={"examples": examples, "schema": schema}, exec_properties={
            "module_file": os.path.abspath(module_file) if module_file else None,
            "preprocessing_fn": preprocessing_fn, "splits_config": splits_config})
