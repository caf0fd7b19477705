"""SchemaGen (infer a schema from statistics) and ImportSchemaGen (a hand-written schema file)."""

from __future__ import annotations

import hashlib
import os

from kerasverse.pipeline.components.base_component import BaseComponent
from kerasverse.pipeline.components.base_component import BaseExecutor
from kerasverse.pipeline.components.base_component import ChannelParameter
from kerasverse.pipeline.components.base_component import ComponentSpec
from kerasverse.pipeline.components.base_component import ExecutionParameter
from kerasverse.pipeline.components.statistics_gen import STATS_FILE
from kerasverse.pipeline.data.schema import SCHEMA_FILE
from kerasverse.pipeline.data.schema import infer_schema
from kerasverse.pipeline.data.schema import load_schema
from kerasverse.pipeline.data.schema import write_schema
from kerasverse.pipeline.data.statistics import load_statistics
from kerasverse.pipeline.types import standard_artifacts
from kerasverse.pipeline.types.channel import Channel


class SchemaGenExecutor(BaseExecutor):
    def Do(self, input_dict, output_dict, exec_properties) -> None:  # noqa: N802
        statistics = input_dict["statistics"][0]
        exclude = set(exec_properties.get("exclude_splits") or [])
        splits = [split for split in statistics.splits() if split not in exclude]
        if not splits:
            raise ValueError(f"SchemaGen: no split left to infer from. Received: exclude_splits={sorted(exclude)}")
        # TFX infers from the first split (train) after exclusions.
        split = "train" if "train" in splits else splits[0]
        dataset = load_statistics(os.path.join(statistics.split_uri(split), STATS_FILE))
        schema = infer_schema(dataset, infer_feature_shape=exec_properties.get("infer_feature_shape", True))
        write_schema(schema, os.path.join(output_dict["schema"][0].uri, SCHEMA_FILE))


class SchemaGenSpec(ComponentSpec):
    INPUTS = {"statistics": ChannelParameter(type=standard_artifacts.ExampleStatistics)}
    OUTPUTS = {"schema": ChannelParameter(type=standard_artifacts.Schema)}
    PARAMETERS = {
        "infer_feature_shape": ExecutionParameter(type=bool),
        "exclude_splits": ExecutionParameter(type=list),
    }


class SchemaGen(BaseComponent):
    """Infers a schema (types, presence, shapes, string domains) from statistics.

    The schema is `schema.json` in the artifact's folder: edit it by hand and
    feed it back with `ImportSchemaGen(schema_file=...)`.

    Args:
        statistics: An `ExampleStatistics` channel.
        infer_feature_shape: Fixed shapes for always-present features.
        exclude_splits: Split names not to infer from.

    Example:

    ```python
    schema_gen = tfx.components.SchemaGen(statistics=statistics_gen.outputs["statistics"])
    ```
    """

    SPEC_CLASS = SchemaGenSpec
    EXECUTOR_CLASS = SchemaGenExecutor

    def __init__(self, statistics: Channel, infer_feature_shape: bool = True,
                 exclude_splits: list[str] | None = None) -> None:
        super().__init__(inputs={"statistics": statistics}, exec_properties={
            "infer_feature_shape": infer_feature_shape, "exclude_splits": exclude_splits})


class ImportSchemaGenExecutor(BaseExecutor):
    def Do(self, input_dict, output_dict, exec_properties) -> None:  # noqa: N802
        path = exec_properties["schema_file"]
        if not os.path.isfile(path):
            raise ValueError(f"ImportSchemaGen: schema_file={path!r} does not exist. Fix: give the path of a schema.json/.yaml.")
        write_schema(load_schema(path), os.path.join(output_dict["schema"][0].uri, SCHEMA_FILE))


class ImportSchemaGenSpec(ComponentSpec):
    OUTPUTS = {"schema": ChannelParameter(type=standard_artifacts.Schema)}
    PARAMETERS = {"schema_file": ExecutionParameter(type=str, optional=False)}


class ImportSchemaGen(BaseComponent):
    """Imports a hand-written schema file (JSON, or YAML ending in .yaml/.yml).

    Args:
        schema_file: The path of the schema file.

    Example:

    ```python
    schema_gen = tfx.components.ImportSchemaGen(schema_file="schema/schema.json")
    ```
    """

    SPEC_CLASS = ImportSchemaGenSpec
    EXECUTOR_CLASS = ImportSchemaGenExecutor

    def __init__(self, schema_file: str) -> None:
        super().__init__(inputs={}, exec_properties={"schema_file": os.fspath(schema_file)})

    def cache_fingerprint(self) -> str:
        path = self.exec_properties["schema_file"]
        return hashlib.sha256(open(path, "rb").read()).hexdigest() if os.path.isfile(path) else ""
