"""Streaming Parquet reading and writing for the Examples layout."""

from __future__ import annotations

import glob
import os
from collections.abc import Iterator


def _pyarrow():
    try:
        import pyarrow
        import pyarrow.parquet  # noqa: F401
    except ImportError as error:  # pragma: no cover - the `pipeline` extra brings it.
        raise ImportError(
            "kerasverse.pipeline needs pyarrow for its Parquet data: "
            "`pip install 'kerasverse[pipeline]'`."
        ) from error
    return pyarrow


def split_files(examples_uri: str, split: str) -> list[str]:
    """The Parquet files of one split of an Examples artifact, sorted."""
    return sorted(glob.glob(os.path.join(examples_uri, f"Split-{split}", "*.parquet")))


def iter_batches(files: list[str], batch_size: int = 65536, columns: list[str] | None = None) -> Iterator:
    """Yields pyarrow RecordBatches over `files`, never a whole file in memory."""
    pa = _pyarrow()
    for path in files:
        parquet_file = pa.parquet.ParquetFile(path)
        yield from parquet_file.iter_batches(batch_size=batch_size, columns=columns)


def read_table(files: list[str], columns: list[str] | None = None):
    """Reads `files` into one pyarrow Table (for small splits: evaluation, tests)."""
    pa = _pyarrow()
    tables = [pa.parquet.read_table(path, columns=columns) for path in files]
    if not tables:
        raise ValueError(f"No Parquet files to read. Received: files={files!r}")
    return pa.concat_tables(tables, promote_options="default")


class ShardedWriter:
    """Writes record batches to `folder/data-NNNNN.parquet`, a new shard every `rows_per_shard` rows."""

    def __init__(self, folder: str, schema, rows_per_shard: int = 1_000_000) -> None:
        self.folder = folder
        self.schema = schema
        self.rows_per_shard = rows_per_shard
        self.num_rows = 0
        self._writer = None
        self._rows_in_shard = 0
        self._shard = 0
        os.makedirs(folder, exist_ok=True)

    def write(self, batch) -> None:
        pa = _pyarrow()
        offset = 0
        while offset < batch.num_rows:
            if self._writer is None or self._rows_in_shard >= self.rows_per_shard:
                self._open_next(pa)
            take = min(self.rows_per_shard - self._rows_in_shard, batch.num_rows - offset)
            self._writer.write_batch(batch.slice(offset, take))
            self._rows_in_shard += take
            self.num_rows += take
            offset += take

    def _open_next(self, pa) -> None:
        if self._writer is not None:
            self._writer.close()
        path = os.path.join(self.folder, f"data-{self._shard:05d}.parquet")
        self._writer = pa.parquet.ParquetWriter(path, self.schema)
        self._shard += 1
        self._rows_in_shard = 0

    def close(self) -> None:
        pa = _pyarrow()
        if self._writer is None:
            self._open_next(pa)  # An empty split still gets one (empty) file with the schema.
        self._writer.close()
