"""StatisticsGen: TFDV's statistics of every split, streamed over the Parquet shards."""

from __future__ import annotations

import json
import os

from kerasverse.pipeline.components.base_component import BaseComponent
from kerasverse.pipeline.components.base_component import BaseExecutor
from kerasverse.pipeline.components.base_component import ChannelParameter
from kerasverse.pipeline.components.base_component import ComponentSpec
from kerasverse.pipeline.components.base_component import ExecutionParameter
from kerasverse.pipeline.data.parquet_io import _pyarrow
from kerasverse.pipeline.data.parquet_io import split_files
from kerasverse.pipeline.data.statistics import StatisticsAccumulator
from kerasverse.pipeline.data.statistics import write_statistics
from kerasverse.pipeline.types import standard_artifacts
from kerasverse.pipeline.types.channel import Channel

STATS_FILE = "FeatureStats.json"


def _shard_statistics(path: str) -> StatisticsAccumulator:
    """One shard's accumulator. Text columns are read as dictionaries (Parquet stores them
    dictionary-encoded), so their value counts are a bincount over the indices."""
    pa = _pyarrow()
    schema = pa.parquet.read_schema(path)
    text = [field.name for field in schema
            if pa.types.is_string(field.type) or pa.types.is_large_string(field.type) or pa.types.is_binary(field.type)]
    accumulator = StatisticsAccumulator()
    for batch in pa.parquet.ParquetFile(path, read_dictionary=text).iter_batches(batch_size=65536):
        accumulator.update(batch)
    return accumulator


class StatisticsGenExecutor(BaseExecutor):
    def Do(self, input_dict, output_dict, exec_properties) -> None:  # noqa: N802
        examples = input_dict["examples"][0]
        statistics = output_dict["statistics"][0]
        exclude = set(exec_properties.get("exclude_splits") or [])
        splits = [split for split in examples.splits() if split not in exclude]
        for split in splits:
            files = split_files(examples.uri, split)
            if not files:
                raise ValueError(
                    f"StatisticsGen: split {split!r} of {examples.uri} has no Parquet files. "
                    "Fix: rerun the ExampleGen that produced it."
                )
            accumulators = self.parallel_map(_shard_statistics, files)
            total = accumulators[0]
            for accumulator in accumulators[1:]:
                total.merge(accumulator)
            os.makedirs(statistics.split_uri(split), exist_ok=True)
            write_statistics(total.result(split), os.path.join(statistics.split_uri(split), STATS_FILE))
        statistics.split_names = json.dumps(splits)
        statistics.span = examples.span or 0


class StatisticsGenSpec(ComponentSpec):
    INPUTS = {
        "examples": ChannelParameter(type=standard_artifacts.Examples),
        "schema": ChannelParameter(type=standard_artifacts.Schema, optional=True),
    }
    OUTPUTS = {"statistics": ChannelParameter(type=standard_artifacts.ExampleStatistics)}
    PARAMETERS = {"exclude_splits": ExecutionParameter(type=list)}


class StatisticsGen(BaseComponent):
    """Computes TFDV-style statistics of each split of `examples`.

    Args:
        examples: An `Examples` channel (ExampleGen's or Transform's output).
        schema: Optional `Schema` channel (accepted as in TFX; not needed here).
        exclude_splits: Split names to skip.

    Example:

    ```python
    statistics_gen = tfx.components.StatisticsGen(examples=example_gen.outputs["examples"])
    ```
    """

    SPEC_CLASS = StatisticsGenSpec
    EXECUTOR_CLASS = StatisticsGenExecutor

    def __init__(self, examples: Channel, schema: Channel | None = None,
                 exclude_splits: list[str] | None = None) -> None:
        super().__init__(inputs={"examples": examples, "schema": schema},
                         exec_properties={"exclude_splits": exclude_splits})
