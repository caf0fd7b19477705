"""ExampleValidator: anomalies of each split against the schema, and drift against baseline statistics."""

from __future__ import annotations

import json
import os

from kerasverse.pipeline.components.base_component import BaseComponent
from kerasverse.pipeline.components.base_component import BaseExecutor
from kerasverse.pipeline.components.base_component import ChannelParameter
from kerasverse.pipeline.components.base_component import ComponentSpec
from kerasverse.pipeline.components.base_component import ExecutionParameter
from kerasverse.pipeline.components.statistics_gen import STATS_FILE
from kerasverse.pipeline.data.schema import load_schema
from kerasverse.pipeline.data.schema import validate_statistics
from kerasverse.pipeline.data.statistics import load_statistics
from kerasverse.pipeline.types import standard_artifacts
from kerasverse.pipeline.types.channel import Channel

ANOMALIES_FILE = "SchemaDiff.json"


class ExampleValidatorExecutor(BaseExecutor):
    def Do(self, input_dict, output_dict, exec_properties) -> None:  # noqa: N802
        statistics = input_dict["statistics"][0]
        schema = load_schema(input_dict["schema"][0].uri)
        baseline = (input_dict.get("baseline_statistics") or [None])[0]
        anomalies = output_dict["anomalies"][0]
        exclude = set(exec_properties.get("exclude_splits") or [])
        splits = [split for split in statistics.splits() if split not in exclude]
        found = {}
        for split in splits:
            dataset = load_statistics(os.path.join(statistics.split_uri(split), STATS_FILE))
            previous = None
            if baseline is not None and split in baseline.splits():
                previous = load_statistics(os.path.join(baseline.split_uri(split), STATS_FILE))
            result = validate_statistics(dataset, schema, previous_statistics=previous)
            os.makedirs(anomalies.split_uri(split), exist_ok=True)
            with open(os.path.join(anomalies.split_uri(split), ANOMALIES_FILE), "w") as handle:
                json.dump(result, handle, indent=1)
            if result["anomaly_info"]:
                found[split] = {name: [reason["type"] for reason in info["reason"]]
                                for name, info in result["anomaly_info"].items()}
        anomalies.split_names = json.dumps(splits)
        anomalies.span = statistics.span or 0
        anomalies.set_custom_property("anomalies_found", json.dumps(found))
        if found and exec_properties.get("fail_on_anomalies"):
            raise ValueError(
                f"ExampleValidator: anomalies found: {json.dumps(found)}. Details in "
                f"{anomalies.uri}/Split-*/{ANOMALIES_FILE}. Fix the data, or update the schema "
                "if the change is expected (ImportSchemaGen with an edited schema.json)."
            )


class ExampleValidatorSpec(ComponentSpec):
    INPUTS = {
        "statistics": ChannelParameter(type=standard_artifacts.ExampleStatistics),
        "schema": ChannelParameter(type=standard_artifacts.Schema),
        "baseline_statistics": ChannelParameter(type=standard_artifacts.ExampleStatistics, optional=True),
    }
    OUTPUTS = {"anomalies": ChannelParameter(type=standard_artifacts.ExampleAnomalies)}
    PARAMETERS = {
        "exclude_splits": ExecutionParameter(type=list),
        "fail_on_anomalies": ExecutionParameter(type=bool),
    }


class ExampleValidator(BaseComponent):
    """Finds anomalies (TFDV's kinds) in each split's statistics, and drift.

    Anomalies are written to `Split-<name>/SchemaDiff.json` and listed in the
    artifact's `anomalies_found` property; they stop the pipeline only with
    `fail_on_anomalies=True`.

    Args:
        statistics: An `ExampleStatistics` channel.
        schema: A `Schema` channel.
        baseline_statistics: Optional statistics to check drift against (the
            schema's `drift_comparator`s: L-infinity for strings, Jensen-Shannon
            for numbers).
        exclude_splits: Split names to skip.
        fail_on_anomalies: Fail the component (and stop the pipeline) on anomalies.

    Example:

    ```python
    example_validator = tfx.components.ExampleValidator(
        statistics=statistics_gen.outputs["statistics"], schema=schema_gen.outputs["schema"])
    ```
    """

    SPEC_CLASS = ExampleValidatorSpec
    EXECUTOR_CLASS = ExampleValidatorExecutor

    def __init__(self, statistics: Channel, schema: Channel, baseline_statistics: Channel | None = None,
                 exclude_splits: list[str] | None = None, fail_on_anomalies: bool = False) -> None:
        super().__init__(
            inputs={"statistics": statistics, "schema": schema, "baseline_statistics": baseline_statistics},
            exec_properties={"exclude_splits": exclude_splits, "fail_on_anomalies": fail_on_anomalies},
        )
