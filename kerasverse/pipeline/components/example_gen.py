"""ExampleGen: CsvExampleGen, ImportExampleGen (Parquet) and DataFrameExampleGen (pandas/numpy).

Rows stream from the input files to Parquet, split by a deterministic hash of
each row (train:eval 2:1 unless `output_config` says otherwise).
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import os
import shutil
from collections.abc import Iterator
from typing import Any

import numpy as np

from kerasverse.pipeline import proto
from kerasverse.pipeline.components.base_component import BaseComponent
from kerasverse.pipeline.components.base_component import BaseExecutor
from kerasverse.pipeline.components.base_component import ChannelParameter
from kerasverse.pipeline.components.base_component import ComponentSpec
from kerasverse.pipeline.components.base_component import ExecutionParameter
from kerasverse.pipeline.data.parquet_io import ShardedWriter
from kerasverse.pipeline.data.parquet_io import _pyarrow
from kerasverse.pipeline.types import standard_artifacts

DEFAULT_OUTPUT_CONFIG = proto.Output(split_config=proto.SplitConfig(splits=[
    proto.SplitConfig.Split(name="train", hash_buckets=2),
    proto.SplitConfig.Split(name="eval", hash_buckets=1),
]))


class ExampleGenSpec(ComponentSpec):
    INPUTS: dict[str, ChannelParameter] = {}
    OUTPUTS = {"examples": ChannelParameter(type=standard_artifacts.Examples)}
    PARAMETERS = {
        "input_base": ExecutionParameter(type=str),
        "input_config": ExecutionParameter(type=proto.Input),
        "output_config": ExecutionParameter(type=proto.Output),
        "data": ExecutionParameter(type=object),
        "rows_per_shard": ExecutionParameter(type=int),
    }


def _row_hashes(batch, partition_feature_name: str) -> np.ndarray:
    """A deterministic 64-bit hash per row (of one column when partitioning by a feature)."""
    import pandas as pd

    frame = batch.to_pandas()
    if partition_feature_name:
        if partition_feature_name not in frame.columns:
            raise ValueError(
                f"SplitConfig.partition_feature_name={partition_feature_name!r} is not a column. "
                f"Columns: {list(frame.columns)}."
            )
        frame = frame[[partition_feature_name]]
    return pd.util.hash_pandas_object(frame, index=False).to_numpy(dtype=np.uint64)


def _split_index(hashes: np.ndarray, buckets: list[int]) -> np.ndarray:
    total = sum(buckets)
    bucket = (hashes % np.uint64(total)).astype(np.int64)
    bounds = np.cumsum(buckets)
    return np.searchsorted(bounds, bucket, side="right")


class _IntegerColumnTurnedFloat(Exception):
    pass


class BaseExampleGenExecutor(BaseExecutor):
    """Streams batches from `_input_batches`, splits them, writes one Parquet folder per split."""

    component_name = "ExampleGen"

    def _input_batches(self, files: list[str], exec_properties: dict[str, Any]) -> Iterator:
        """Yields pyarrow record batches read from `files`; each ExampleGen's executor implements it."""
        raise NotImplementedError(
            f"{type(self).__name__} must implement `_input_batches(files, exec_properties)` "
            "(see the CSV and Parquet executors in this module)."
        )

    def _input_files(self, exec_properties: dict[str, Any], pattern: str) -> list[str]:
        input_base = exec_properties["input_base"]
        if not os.path.isdir(input_base):
            raise ValueError(
                f"{self.component_name}: input_base={input_base!r} is not a directory. "
                "Fix: pass the folder that holds the input files."
            )
        files = sorted(
            os.path.join(root, name)
            for root, _, names in os.walk(input_base)
            for name in names
            if fnmatch.fnmatch(os.path.relpath(os.path.join(root, name), input_base), pattern)
            and not name.startswith(".")
        )
        if not files:
            raise ValueError(
                f"{self.component_name}: no input file matches pattern {pattern!r} in "
                f"input_base={input_base!r} (the folder is empty or holds other files). "
                f"Fix: put the {self.file_kind} files there or change `input_config`."
            )
        return files

    file_kind = "input"
    default_pattern = "*"

    widen_integers = False

    def Do(self, input_dict, output_dict, exec_properties) -> None:  # noqa: N802
        try:
            self._split_and_write(output_dict, exec_properties)
        except _IntegerColumnTurnedFloat:
            # A later block holds a fraction in a column the first block typed as integer:
            # start again with integer columns read as float.
            for name in os.listdir(output_dict["examples"][0].uri):
                shutil.rmtree(os.path.join(output_dict["examples"][0].uri, name), ignore_errors=True)
            self.widen_integers = True
            self._split_and_write(output_dict, exec_properties)

    def _split_and_write(self, output_dict, exec_properties) -> None:
        examples = output_dict["examples"][0]
        input_config = exec_properties.get("input_config") or proto.Input(
            splits=[proto.Input.Split(name="single_split", pattern=self.default_pattern)]
        )
        output_config = exec_properties.get("output_config") or proto.Output()
        rows_per_shard = exec_properties.get("rows_per_shard") or 1_000_000
        splits_out = output_config.split_config.splits
        if len(input_config.splits) > 1:
            if splits_out:
                raise ValueError(
                    f"{self.component_name}: give either several input splits (input_config) or "
                    "an output split_config, not both."
                )
            jobs = [([split.name], [1], split.pattern) for split in input_config.splits]
        else:
            if not splits_out:
                splits_out = DEFAULT_OUTPUT_CONFIG.split_config.splits
            for split in splits_out:
                if split.hash_buckets <= 0:
                    raise ValueError(f"SplitConfig.Split {split.name!r}: hash_buckets must be > 0. Received: {split.hash_buckets}")
            jobs = [([split.name for split in splits_out], [split.hash_buckets for split in splits_out],
                     input_config.splits[0].pattern)]
        split_names: list[str] = []
        num_rows: dict[str, int] = {}
        input_files: list[str] = []
        for names, buckets, pattern in jobs:
            files = self._input_files(exec_properties, pattern) if "data" not in exec_properties else []
            input_files.extend(files)
            writers: dict[str, ShardedWriter] = {}
            schema = None
            for batch in self._input_batches(files, exec_properties):
                if schema is None:
                    schema = batch.schema
                    writers = {name: ShardedWriter(examples.split_uri(name), schema, rows_per_shard) for name in names}
                elif batch.schema != schema:
                    batch = _cast_batch(batch, schema, self.component_name)
                if len(names) == 1:
                    writers[names[0]].write(batch)
                    continue
                index = _split_index(_row_hashes(batch, output_config.split_config.partition_feature_name), buckets)
                for position, name in enumerate(names):
                    writers[name].write(batch.filter(_pyarrow().array(index == position)))
            if schema is None:
                raise ValueError(f"{self.component_name}: the input has no rows. Fix: give it data.")
            for name, writer in writers.items():
                writer.close()
                num_rows[name] = writer.num_rows
            split_names.extend(names)
        examples.split_names = json.dumps(split_names)
        examples.span = 0
        examples.version = 0
        examples.set_custom_property("num_rows", json.dumps(num_rows))
        examples.set_custom_property("input_files", json.dumps(input_files))


def _cast_batch(batch, schema, component_name: str):
    pa = _pyarrow()
    if batch.schema.names != schema.names:
        raise ValueError(
            f"{component_name}: the input files do not share their columns: {schema.names} "
            f"then {batch.schema.names}. Fix: give files with the same header."
        )
    try:
        return pa.RecordBatch.from_arrays(
            [column.cast(field.type) for column, field in zip(batch.columns, schema)], schema=schema
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as error:
        raise ValueError(
            f"{component_name}: a column changes type between input blocks ({error}). "
            f"Expected schema: {schema}. Fix: make the column's values one type."
        ) from error


def _file_fingerprint(files: list[str]) -> str:
    digest = hashlib.sha256()
    for path in files:
        stat = os.stat(path)
        digest.update(f"{path}:{stat.st_size}:{stat.st_mtime_ns};".encode())
    return digest.hexdigest()


class _FileExampleGen(BaseComponent):
    SPEC_CLASS = ExampleGenSpec

    def __init__(self, input_base: str, input_config: proto.Input | None = None,
                 output_config: proto.Output | None = None, rows_per_shard: int | None = None) -> None:
        if not isinstance(input_base, (str, os.PathLike)):
            raise TypeError(f"{type(self).__name__}(input_base=...) expects a folder path. Received: input_base={input_base!r}")
        super().__init__(inputs={}, exec_properties={
            "input_base": os.fspath(input_base), "input_config": input_config,
            "output_config": output_config, "rows_per_shard": rows_per_shard,
        })

    def cache_fingerprint(self) -> str:
        """The input files' names, sizes and mtimes: new or changed data reruns ExampleGen."""
        input_base = self.exec_properties["input_base"]
        files = sorted(
            os.path.join(root, name) for root, _, names in os.walk(input_base) for name in names
        ) if os.path.isdir(input_base) else []
        return _file_fingerprint(files)


class CsvExampleGenExecutor(BaseExampleGenExecutor):
    component_name = "CsvExampleGen"
    file_kind = "CSV"

    def _input_batches(self, files, exec_properties):
        pa = _pyarrow()
        import pyarrow.csv as pa_csv

        read_options = pa_csv.ReadOptions(block_size=1 << 22)
        schema = _unified_csv_schema(files, read_options)
        if self.widen_integers:
            schema = pa.schema([pa.field(f.name, pa.float64() if pa.types.is_integer(f.type) else f.type) for f in schema])
        convert_options = pa_csv.ConvertOptions(column_types=dict(zip(schema.names, schema.types)))
        for path in files:
            try:
                reader = pa_csv.open_csv(path, read_options=read_options, convert_options=convert_options)
                yield from reader
            except pa.ArrowInvalid as error:
                if "conversion error to int" in str(error) and not self.widen_integers:
                    raise _IntegerColumnTurnedFloat(str(error)) from error
                raise ValueError(
                    f"CsvExampleGen: cannot read {path}: {error}. Fix: correct or remove that "
                    "row (every row needs one value per header column, quoted if it holds a comma)."
                ) from error


def _unified_csv_schema(files: list[str], read_options):
    """The column types over the first block of every file: int and float columns widen to
    float, a column that is text in any file is text (TFX infers types over all the data)."""
    pa = _pyarrow()
    import pyarrow.csv as pa_csv

    schema = None
    for path in files:
        try:
            with pa_csv.open_csv(path, read_options=read_options) as reader:
                current = reader.schema
        except pa.ArrowInvalid as error:
            raise ValueError(f"CsvExampleGen: cannot read {path}: {error}. Fix: correct the file.") from error
        if schema is None:
            schema = current
            continue
        if current.names != schema.names:
            raise ValueError(
                f"CsvExampleGen: {path} has columns {current.names}, the first file {files[0]} has "
                f"{schema.names}. Fix: give all CSV files the same header."
            )
        fields = []
        for field, other in zip(schema, current):
            kind = field.type
            if kind != other.type:
                numeric = all(pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_null(t)
                              for t in (kind, other.type))
                if pa.types.is_null(kind):
                    kind = other.type
                elif pa.types.is_null(other.type):
                    pass
                elif numeric:
                    kind = pa.float64()
                else:
                    kind = pa.string()
            fields.append(pa.field(field.name, kind))
        schema = pa.schema(fields)
    return schema


class CsvExampleGen(_FileExampleGen):
    """Reads CSV files under `input_base` into an `Examples` artifact (Parquet, split by hash).

    Args:
        input_base: The folder of CSV files (all with the same header).
        input_config: `proto.Input` naming input splits by file pattern (default: all files).
        output_config: `proto.Output` with the hash split (default train:eval 2:1).
        rows_per_shard: Rows per Parquet file (shards are what RayDagRunner parallelises over).

    Example:

    ```python
    example_gen = tfx.components.CsvExampleGen(input_base="data/")
    example_gen.outputs["examples"]
    ```
    """

    EXECUTOR_CLASS = CsvExampleGenExecutor


class ImportExampleGenExecutor(BaseExampleGenExecutor):
    component_name = "ImportExampleGen"
    file_kind = "Parquet"

    def _input_batches(self, files, exec_properties):
        pa = _pyarrow()
        for path in files:
            try:
                parquet_file = pa.parquet.ParquetFile(path)
            except pa.ArrowInvalid as error:
                raise ValueError(
                    f"ImportExampleGen: {path} is not a Parquet file ({error}). Fix: remove it or "
                    "convert it (CSV files go to CsvExampleGen)."
                ) from error
            yield from parquet_file.iter_batches(batch_size=65536)


class ImportExampleGen(_FileExampleGen):
    """Imports Parquet files under `input_base` (TFX imports TFRecords; Parquet is our format).

    Args: as `CsvExampleGen`.

    Example:

    ```python
    example_gen = tfx.components.ImportExampleGen(input_base="parquet_dir/")
    ```
    """

    EXECUTOR_CLASS = ImportExampleGenExecutor


class DataFrameExampleGenExecutor(BaseExampleGenExecutor):
    component_name = "DataFrameExampleGen"

    def _input_batches(self, files, exec_properties):
        pa = _pyarrow()
        table = _to_table(exec_properties["data"])
        yield from table.to_batches(max_chunksize=65536)
        del pa


def _to_table(data):
    pa = _pyarrow()
    if isinstance(data, pa.Table):
        return data
    if isinstance(data, dict):
        return pa.table({key: np.asarray(value) for key, value in data.items()})
    try:
        import pandas as pd
    except ImportError:  # pragma: no cover
        pd = None
    if pd is not None and isinstance(data, pd.DataFrame):
        return pa.Table.from_pandas(data, preserve_index=False)
    raise TypeError(
        "DataFrameExampleGen(data=...) expects a pandas DataFrame, a dict of numpy columns or a "
        f"pyarrow Table. Received: data of type {type(data).__name__}"
    )


class DataFrameExampleGen(BaseComponent):
    """An ExampleGen over in-memory data: a pandas DataFrame or a dict of numpy columns.

    Args:
        data: The rows (`pandas.DataFrame`, `{"column": np.ndarray}` or a pyarrow Table).
        output_config: `proto.Output` (default train:eval 2:1 by hash).

    Example:

    ```python
    example_gen = tfx.components.DataFrameExampleGen(data=penguins_frame)
    ```
    """

    SPEC_CLASS = ExampleGenSpec
    EXECUTOR_CLASS = DataFrameExampleGenExecutor

    def __init__(self, data: Any, output_config: proto.Output | None = None,
                 rows_per_shard: int | None = None) -> None:
        table = _to_table(data)
        super().__init__(inputs={}, exec_properties={
            "data": table, "output_config": output_config, "rows_per_shard": rows_per_shard,
            "input_config": proto.Input(splits=[proto.Input.Split(name="single_split", pattern="*")]),
        })

    def cache_fingerprint(self) -> str:
        digest = hashlib.sha256()
        table = self.exec_properties["data"]
        digest.update(str(table.schema).encode())
        for batch in table.to_batches():
            digest.update(_row_hashes(batch, "").tobytes())
        return digest.hexdigest()


__all__ = ["CsvExampleGen", "DataFrameExampleGen", "ImportExampleGen"]
