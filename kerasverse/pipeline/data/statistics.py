"""TFDV-style dataset statistics, streamed over record batches and mergeable across shards.

The output mirrors TFDV's `DatasetFeatureStatisticsList` as JSON: per feature
`num_stats` (common stats, mean, std_dev, num_zeros, min, median, max, a
standard and a quantiles histogram) or `string_stats` (common stats, unique,
top_values, avg_length, rank_histogram). Means, deviations, minima, maxima,
counts and distinct values are exact; quantiles and histograms come from a
fixed-size uniform sample per feature (TFDV uses a quantiles sketch), so
memory stays bounded whatever the data size.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import numpy as np

SAMPLE_SIZE = 20_000
NUM_HISTOGRAM_BUCKETS = 10
NUM_TOP_VALUES = 20
MAX_STORED_VALUES = 1000  # Distinct string values kept for drift (L-infinity) comparisons.


class _NumericAccumulator:
    def __init__(self, kind: str, seed: int) -> None:
        self.kind = kind  # "INT" or "FLOAT"
        self.count = 0
        self.missing = 0
        self.mean = 0.0
        self.m2 = 0.0
        self.min = np.inf
        self.max = -np.inf
        self.zeros = 0
        self.sample_values = np.empty(0)
        self.sample_keys = np.empty(0)
        self._pending: list[tuple[np.ndarray, np.ndarray]] = []  # Candidates not yet cut to the bottom-k.
        self._pending_size = 0
        self.rng = np.random.default_rng(seed)

    def update(self, values: np.ndarray, missing: int) -> None:
        self.missing += missing
        if values.size == 0:
            return
        values = values.astype(np.float64, copy=False)
        finite = values[np.isfinite(values)]
        batch_mean = float(finite.mean()) if finite.size else 0.0
        batch_m2 = float(((finite - batch_mean) ** 2).sum()) if finite.size else 0.0
        self._merge_moments(values.size, batch_mean, batch_m2)
        self.min = min(self.min, float(values.min()))
        self.max = max(self.max, float(values.max()))
        self.zeros += int(np.count_nonzero(values == 0))
        self._sample_from(values)

    def update_arrow(self, column) -> None:
        """The same as `update` for a pyarrow column: one numpy view of it (nulls and NaN are
        missing), a handful of vectorised passes, no Python per row."""
        import pyarrow as pa

        if pa.types.is_boolean(column.type):
            column = column.cast(pa.int8())
        if column.null_count == len(column):
            self.missing += len(column)
            return
        if column.null_count and not pa.types.is_floating(column.type):
            self.missing += column.null_count
            column = column.drop_null()
        values = column.to_numpy(zero_copy_only=False)  # Float nulls come back as NaN.
        if values.dtype.kind == "f":
            nan = np.isnan(values)
            missing = int(np.count_nonzero(nan))
            if missing:
                self.missing += missing
                values = values[~nan]
        n = values.size
        if n == 0:
            return
        mean = float(values.mean(dtype=np.float64))
        centered = values - mean
        self._merge_moments(n, mean, float(np.einsum("i,i->", centered, centered)))  # No BLAS threads.
        self.min = min(self.min, float(values.min()))
        self.max = max(self.max, float(values.max()))
        self.zeros += n - int(np.count_nonzero(values))
        self._sample_from(values)

    def _sample_from(self, values) -> None:
        """Adds a batch to the bottom-k sample drawing keys only for the values that can enter it.

        Candidates wait in a buffer and are cut down to the bottom-k once the buffer holds
        another sample's worth: a stale (higher) threshold only admits extra candidates,
        so the sample is the same as cutting after every batch, at a fraction of the cost.
        """
        n = len(values)
        if self.sample_keys.size + self._pending_size < SAMPLE_SIZE:
            chosen, keys = np.arange(n), self.rng.random(n)
        else:
            threshold = self._threshold()
            count = int(self.rng.binomial(n, threshold))
            if count == 0:
                return
            chosen = self.rng.choice(n, count, replace=False)
            keys = self.rng.random(count) * threshold
        picked = values[chosen] if isinstance(values, np.ndarray) else values.take(chosen).to_numpy(zero_copy_only=False)
        self._pending.append((np.asarray(picked, dtype=np.float64), keys))
        self._pending_size += keys.size
        if self._pending_size >= SAMPLE_SIZE:
            self._flush_sample()

    def _threshold(self) -> float:
        if self.sample_keys.size < SAMPLE_SIZE:
            self._flush_sample()
        return float(self.sample_keys.max()) if self.sample_keys.size >= SAMPLE_SIZE else 1.0

    def _flush_sample(self) -> None:
        if self._pending:
            values = np.concatenate([values for values, _ in self._pending])
            keys = np.concatenate([keys for _, keys in self._pending])
            self._pending, self._pending_size = [], 0
            self._merge_sample(values, keys)

    def _merge_moments(self, n: int, mean: float, m2: float) -> None:
        total = self.count + n
        if n:
            delta = mean - self.mean
            self.mean += delta * n / total
            self.m2 += m2 + delta * delta * self.count * n / total
        self.count = total

    def _merge_sample(self, values: np.ndarray, keys: np.ndarray) -> None:
        # Bottom-k of uniform random keys is a uniform sample of the union (mergeable).
        values = np.concatenate([self.sample_values, values])
        keys = np.concatenate([self.sample_keys, keys])
        if keys.size > SAMPLE_SIZE:
            keep = np.argpartition(keys, SAMPLE_SIZE)[:SAMPLE_SIZE]
            values, keys = values[keep], keys[keep]
        self.sample_values, self.sample_keys = values, keys

    def merge(self, other: _NumericAccumulator) -> None:
        other._flush_sample()
        self.missing += other.missing
        self._merge_moments(other.count, other.mean, other.m2)
        self.min = min(self.min, other.min)
        self.max = max(self.max, other.max)
        self.zeros += other.zeros
        self._merge_sample(other.sample_values, other.sample_keys)

    def result(self, name: str) -> dict[str, Any]:
        self._flush_sample()
        common = _common_stats(self.count, self.missing)
        stats: dict[str, Any] = {"common_stats": common}
        if self.count:
            sample = np.sort(self.sample_values)
            stats.update({
                "mean": self.mean,
                "std_dev": float(np.sqrt(self.m2 / self.count)),
                "num_zeros": self.zeros,
                "min": self.min,
                "median": float(np.quantile(sample, 0.5)),
                "max": self.max,
                "histograms": [
                    _standard_histogram(sample, self.min, self.max, self.count),
                    _quantiles_histogram(sample, self.count),
                ],
            })
        return {"name": name, "type": self.kind, "num_stats": stats}


class _StringAccumulator:
    """Counts, lengths and the frequency of every value, kept in Arrow: each batch's
    `value_counts` is folded in with a hash `group_by` now and then, never value by value
    in Python (a column of unique ids costs no Python per row)."""

    _COMPACT_ROWS = 1 << 16

    def __init__(self) -> None:
        self.count = 0
        self.missing = 0
        self.total_length = 0
        self._parts: list = []  # value_counts struct arrays not yet folded together.
        self._part_rows = 0

    def update_arrow(self, column) -> None:
        import pyarrow.compute as pc

        self.missing += column.null_count
        valid = column.drop_null() if column.null_count else column
        self.count += len(valid)
        if len(valid):
            lengths = pc.utf8_length(valid) if _is_string(valid.type) else pc.binary_length(valid)
            self.total_length += int(pc.sum(lengths).as_py() or 0)
            self._add(pc.value_counts(valid))

    def update_dictionary(self, column) -> None:
        """A dictionary-encoded column (how the CSV reader delivers text): counts by index with
        `np.bincount`, lengths from the dictionary's own values -- no hashing of strings."""
        import pyarrow as pa
        import pyarrow.compute as pc

        self.missing += column.null_count
        indices = column.indices.drop_null() if column.null_count else column.indices
        self.count += len(indices)
        dictionary = column.dictionary
        if not len(indices) or not len(dictionary):
            return
        counts = np.bincount(indices.to_numpy(zero_copy_only=False), minlength=len(dictionary))
        lengths = pc.utf8_length(dictionary) if _is_string(dictionary.type) else pc.binary_length(dictionary)
        self.total_length += int((lengths.to_numpy(zero_copy_only=False).astype(np.int64) * counts).sum())
        present = counts > 0
        self._add(pa.StructArray.from_arrays([dictionary.filter(pa.array(present)), pa.array(counts[present])],
                                             names=["values", "counts"]))

    def _add(self, counts) -> None:
        self._parts.append(counts)
        self._part_rows += len(counts)
        if len(self._parts) > 1 and self._part_rows > self._COMPACT_ROWS:
            previous = self._part_rows
            self._compact()
            # Many distinct values: fold again only after as many new rows arrive.
            self._COMPACT_ROWS = max(type(self)._COMPACT_ROWS, 2 * min(previous, self._part_rows))

    def _compact(self):
        """Folds the parts into one table of (values, counts); returns it."""
        import pyarrow as pa

        if not self._parts:
            return pa.table({"values": pa.array([], pa.string()), "counts": pa.array([], pa.int64())})
        kinds = {part.type.field("values").type for part in self._parts}
        target = pa.string() if len(kinds) > 1 else next(iter(kinds))
        values = pa.concat_arrays([part.field("values").cast(target) for part in self._parts])
        counts = pa.concat_arrays([part.field("counts").cast(pa.int64()) for part in self._parts])
        table = pa.table({"values": values, "counts": counts})
        if len(self._parts) > 1:
            table = table.group_by("values").aggregate([("counts", "sum")]).rename_columns(["values", "counts"])
        self._parts = [pa.StructArray.from_arrays([table["values"].combine_chunks(), table["counts"].combine_chunks()],
                                                  names=["values", "counts"])]
        self._part_rows = len(table)
        return table

    @property
    def counts(self) -> dict[Any, int]:
        table = self._compact()
        return dict(zip(table["values"].to_pylist(), table["counts"].to_pylist()))

    def merge(self, other: _StringAccumulator) -> None:
        self.count += other.count
        self.missing += other.missing
        self.total_length += other.total_length
        for part in other._parts:
            self._add(part)

    def result(self, name: str) -> dict[str, Any]:
        import pyarrow.compute as pc

        table = self._compact()
        order = pc.sort_indices(table, sort_keys=[("counts", "descending"), ("values", "ascending")])
        ranked_table = table.take(order[:MAX_STORED_VALUES])
        ranked = list(zip(ranked_table["values"].to_pylist(), ranked_table["counts"].to_pylist()))
        return {
            "name": name,
            "type": "STRING",
            "string_stats": {
                "common_stats": _common_stats(self.count, self.missing),
                "unique": len(table),
                "top_values": [{"value": _text(value), "frequency": count} for value, count in ranked[:NUM_TOP_VALUES]],
                "avg_length": self.total_length / self.count if self.count else 0.0,
                "rank_histogram": {"buckets": [
                    {"low_rank": rank, "high_rank": rank, "label": _text(value), "sample_count": count}
                    for rank, (value, count) in enumerate(ranked)
                ]},
            },
        }


def _text(value: Any) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _is_string(arrow_type) -> bool:
    import pyarrow as pa

    return pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type)


def _common_stats(count: int, missing: int) -> dict[str, Any]:
    return {
        "num_non_missing": count,
        "num_missing": missing,
        "min_num_values": 1 if count else 0,
        "max_num_values": 1 if count else 0,
        "avg_num_values": 1.0 if count else 0.0,
        "tot_num_values": count,
    }


def _standard_histogram(sample: np.ndarray, low: float, high: float, count: int) -> dict[str, Any]:
    finite = sample[np.isfinite(sample)]
    if high <= low or not np.isfinite(low) or not np.isfinite(high):
        edges = np.array([low, high])
        counts = np.array([finite.size])
    else:
        counts, edges = np.histogram(finite, bins=NUM_HISTOGRAM_BUCKETS, range=(low, high))
    scale = count / max(sample.size, 1)
    return {"type": "STANDARD", "buckets": [
        {"low_value": float(edges[i]), "high_value": float(edges[i + 1]), "sample_count": float(counts[i] * scale)}
        for i in range(len(counts))
    ]}


def _quantiles_histogram(sample: np.ndarray, count: int) -> dict[str, Any]:
    edges = np.quantile(sample, np.linspace(0, 1, NUM_HISTOGRAM_BUCKETS + 1))
    per_bucket = count / NUM_HISTOGRAM_BUCKETS
    return {"type": "QUANTILES", "buckets": [
        {"low_value": float(edges[i]), "high_value": float(edges[i + 1]), "sample_count": per_bucket}
        for i in range(NUM_HISTOGRAM_BUCKETS)
    ]}


class StatisticsAccumulator:
    """Accumulates statistics of one dataset (split) over record batches; mergeable.

    Example:

    >>> import pyarrow as pa
    >>> accumulator = StatisticsAccumulator()
    >>> accumulator.update(pa.record_batch({"x": [1.0, 2.0, None], "s": ["a", "b", "a"]}))
    >>> stats = accumulator.result("train")
    >>> feature = stats["features"][0]
    >>> feature["name"], feature["num_stats"]["mean"], feature["num_stats"]["common_stats"]["num_missing"]
    ('x', 1.5, 1)
    """

    def __init__(self, seed: int = 0) -> None:
        self.seed = seed
        self.num_examples = 0
        self.features: dict[str, _NumericAccumulator | _StringAccumulator] = {}

    def update(self, batch) -> None:
        import pyarrow as pa
        import pyarrow.compute as pc

        self.num_examples += batch.num_rows
        for index, name in enumerate(batch.schema.names):
            column = batch.column(index)
            arrow_type = column.type
            if pa.types.is_dictionary(arrow_type):
                value_type = arrow_type.value_type
                if _is_string(value_type) or pa.types.is_binary(value_type):
                    accumulator = self.features.setdefault(name, _StringAccumulator())
                    if not isinstance(accumulator, _StringAccumulator):
                        raise ValueError(f"Statistics: column {name!r} changes type (number then string) between batches.")
                    accumulator.update_dictionary(column)
                    continue
                column = column.cast(value_type)
                arrow_type = column.type
            if pa.types.is_integer(arrow_type) or pa.types.is_floating(arrow_type) or pa.types.is_boolean(arrow_type):
                kind = "FLOAT" if pa.types.is_floating(arrow_type) else "INT"
                accumulator = self.features.get(name)
                if accumulator is None:
                    accumulator = self.features[name] = _NumericAccumulator(kind, self.seed + index)
                if not isinstance(accumulator, _NumericAccumulator):
                    raise ValueError(f"Statistics: column {name!r} changes type (string then number) between batches.")
                if kind == "FLOAT":
                    accumulator.kind = "FLOAT"
                accumulator.update_arrow(column)
            elif pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type) or pa.types.is_binary(arrow_type):
                accumulator = self.features.setdefault(name, _StringAccumulator())
                if not isinstance(accumulator, _StringAccumulator):
                    raise ValueError(f"Statistics: column {name!r} changes type (number then string) between batches.")
                accumulator.update_arrow(column)
            else:
                accumulator = self.features.setdefault(name, _StringAccumulator())
                accumulator.update_arrow(pc.cast(column, pa.string()))

    def merge(self, other: StatisticsAccumulator) -> StatisticsAccumulator:
        self.num_examples += other.num_examples
        for name, accumulator in other.features.items():
            if name in self.features:
                self.features[name].merge(accumulator)
            else:
                self.features[name] = accumulator
        return self

    def result(self, name: str) -> dict[str, Any]:
        return {
            "name": name,
            "num_examples": self.num_examples,
            "features": [accumulator.result(feature) for feature, accumulator in self.features.items()],
        }


def generate_statistics_from_batches(batches: Iterable, name: str = "") -> dict[str, Any]:
    """Statistics of one dataset from an iterable of pyarrow record batches."""
    accumulator = StatisticsAccumulator()
    for batch in batches:
        accumulator.update(batch)
    return accumulator.result(name)


def _prefetched(reader, depth: int = 2) -> Iterable:
    """Yields `reader`'s batches, parsed by a background thread (pyarrow releases the GIL),
    so parsing the next blocks overlaps the statistics of this one."""
    import queue
    import threading

    batches: queue.Queue = queue.Queue(maxsize=depth)
    done = object()
    stop = threading.Event()

    def produce() -> None:
        try:
            for batch in reader:
                while not stop.is_set():
                    try:
                        batches.put(batch, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            batches.put(done)
        except BaseException as error:  # noqa: BLE001 - handed to the consumer.
            batches.put(error)

    thread = threading.Thread(target=produce, name="kerasverse-csv-reader", daemon=True)
    thread.start()
    try:
        while True:
            item = batches.get()
            if item is done:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        thread.join()


def generate_statistics_from_csv(data_location: str, block_size: int = 4 << 20) -> dict[str, Any]:
    """TFDV's `generate_statistics_from_csv`: streams a CSV file, returns a statistics list.

    pyarrow parses the file in `block_size` blocks with its thread pool, in a
    background thread, while this thread folds each parsed batch into the
    statistics with vectorised kernels (no Python per row); memory stays at a
    few blocks whatever the file size. Column types are inferred from the first
    block, then fixed for the whole read (pyarrow parses typed columns
    1.5-4x faster than inferring per block); if a later block does not fit
    them (an int column turning float), the file is read again with integer
    columns widened to float.

    Returns:
        `{"datasets": [dataset_statistics]}` (TFDV's `DatasetFeatureStatisticsList` as JSON).
    """
    import pyarrow as pa
    import pyarrow.csv as pa_csv

    read_options = pa_csv.ReadOptions(block_size=block_size, use_threads=True)

    def statistics(column_types):
        # Text columns parse straight into dictionaries: counting them is then a bincount.
        column_types = {name: pa.dictionary(pa.int32(), kind) if pa.types.is_string(kind) else kind
                        for name, kind in column_types.items()}
        reader = pa_csv.open_csv(data_location, read_options=read_options,
                                 convert_options=pa_csv.ConvertOptions(column_types=column_types))
        try:
            return {"datasets": [generate_statistics_from_batches(_prefetched(reader), name="")]}
        finally:
            reader.close()

    with pa_csv.open_csv(data_location, read_options=pa_csv.ReadOptions(block_size=min(block_size, 1 << 20))) as reader:
        schema = reader.schema
    try:
        return statistics(dict(zip(schema.names, schema.types)))
    except pa.ArrowInvalid:
        pass
    # Integer columns widened to float (a later block held a fraction); numbers that turn
    # into text later make the column text.
    widened = {name: pa.float64() if pa.types.is_integer(kind) else kind for name, kind in zip(schema.names, schema.types)}
    try:
        return statistics(widened)
    except pa.ArrowInvalid:
        pass
    as_text = {name: pa.string() if not pa.types.is_floating(kind) else kind for name, kind in widened.items()}
    try:
        return statistics(as_text)
    except pa.ArrowInvalid as error:
        raise ValueError(f"Cannot read {data_location}: {error}. Fix: make each column's values one type.") from error


def write_statistics(statistics: dict[str, Any], path: str) -> None:
    with open(path, "w") as handle:
        json.dump({"datasets": [statistics]}, handle, indent=1)


def load_statistics(path: str) -> dict[str, Any]:
    """One split's dataset statistics from a `FeatureStats.json`."""
    with open(path) as handle:
        return json.load(handle)["datasets"][0]


def feature_stats(dataset: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {feature["name"]: feature for feature in dataset["features"]}
