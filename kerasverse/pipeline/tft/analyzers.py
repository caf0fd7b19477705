"""Full-pass analyzers and the mappers built on them (`tensorflow_transform`'s names), on numpy.

Each analyzer reads the whole analysis split (streamed, mergeable
accumulators); mappers apply the fitted values to a batch.
"""

from __future__ import annotations

import builtins
import collections
import hashlib
from typing import Any

import numpy as np

from kerasverse.pipeline.tft.analysis_context import current_context

QUANTILES_SAMPLE_SIZE = 100_000


def _numeric(x: Any, name: str) -> np.ndarray:
    array = np.asanyarray(x)
    if array.dtype.kind not in "biuf":
        raise TypeError(f"tft.{name} expects numbers. Received: an array of dtype {array.dtype}")
    return array.astype(np.float64, copy=False)


def _strings(x: Any) -> np.ndarray:
    array = np.asanyarray(x)
    if array.dtype.kind in "SUO":
        return array.astype(object)
    return array


class _Moments:
    def __init__(self) -> None:
        self.count, self.mean, self.m2 = 0, 0.0, 0.0
        self.min, self.max, self.sum = np.inf, -np.inf, 0.0

    def update(self, x) -> None:
        values = np.asarray(x, dtype=np.float64).ravel()
        values = values[~np.isnan(values)]
        if values.size:
            self._merge(values.size, float(values.mean()), float(((values - values.mean()) ** 2).sum()))
            self.min = builtins.min(self.min, float(values.min()))
            self.max = builtins.max(self.max, float(values.max()))
            self.sum += float(values.sum())

    def _merge(self, n, mean, m2) -> None:
        total = self.count + n
        delta = mean - self.mean
        self.mean += delta * n / total
        self.m2 += m2 + delta * delta * self.count * n / total
        self.count = total

    def merge(self, other: _Moments) -> None:
        if other.count:
            self._merge(other.count, other.mean, other.m2)
            self.min, self.max = builtins.min(self.min, other.min), builtins.max(self.max, other.max)
            self.sum += other.sum


class _MomentsAnalyzer:
    def __init__(self, statistic: str) -> None:
        self.statistic = statistic
        self.moments = _Moments()

    def update(self, x) -> None:
        self.moments.update(x)

    def merge(self, other) -> None:
        self.moments.merge(other.moments)

    def result(self) -> Any:
        moments = self.moments
        if self.statistic == "size":
            return np.asarray(moments.count, dtype=np.int64)
        if moments.count == 0:
            return np.asarray(np.nan)
        value = {
            "mean": moments.mean, "var": moments.m2 / moments.count, "min": moments.min,
            "max": moments.max, "sum": moments.sum,
        }[self.statistic]
        return np.asarray(value, dtype=np.float64)


class _VocabularyAnalyzer:
    def __init__(self, top_k, frequency_threshold) -> None:
        self.top_k, self.frequency_threshold = top_k, frequency_threshold
        self.counts: collections.Counter = collections.Counter()

    def update(self, x) -> None:
        values = _strings(x).ravel()
        values = [value for value in values.tolist() if value is not None and value == value]
        self.counts.update(str(value) if not isinstance(value, str) else value for value in values)

    def merge(self, other) -> None:
        self.counts.update(other.counts)

    def result(self) -> list[str]:
        # Most frequent first, ties by value (TFT's order).
        ranked = sorted(self.counts.items(), key=lambda item: (-item[1], item[0]))
        if self.frequency_threshold:
            ranked = [item for item in ranked if item[1] >= self.frequency_threshold]
        if self.top_k is not None:
            ranked = ranked[: self.top_k]
        return [value for value, _ in ranked]


class _QuantilesAnalyzer:
    def __init__(self, num_buckets: int, seed: int = 0) -> None:
        self.num_buckets = num_buckets
        self.values = np.empty(0)
        self.keys = np.empty(0)
        self.rng = np.random.default_rng(seed)

    def update(self, x) -> None:
        values = np.asarray(x, dtype=np.float64).ravel()
        values = values[~np.isnan(values)]
        self._add(values, self.rng.random(values.size))

    def _add(self, values, keys) -> None:
        values, keys = np.concatenate([self.values, values]), np.concatenate([self.keys, keys])
        if keys.size > QUANTILES_SAMPLE_SIZE:
            keep = np.argpartition(keys, QUANTILES_SAMPLE_SIZE)[:QUANTILES_SAMPLE_SIZE]
            values, keys = values[keep], keys[keep]
        self.values, self.keys = values, keys

    def merge(self, other) -> None:
        self._add(other.values, other.keys)

    def result(self) -> np.ndarray:
        if self.values.size == 0:
            return np.zeros(0)
        inner = np.linspace(0, 1, self.num_buckets + 1)[1:-1]
        return np.unique(np.quantile(self.values, inner))


def _moment(x, statistic: str) -> np.ndarray:
    return current_context().analyzer(statistic, _numeric(x, statistic), lambda: _MomentsAnalyzer(statistic), ())


def mean(x: Any, name: str | None = None) -> np.ndarray:
    """The mean of `x` over the analysis split (missing values, NaN, ignored)."""
    return _moment(x, "mean")


def var(x: Any, name: str | None = None) -> np.ndarray:
    """The (population) variance of `x` over the analysis split."""
    return _moment(x, "var")


def min(x: Any, name: str | None = None) -> np.ndarray:  # noqa: A001 - TFT's name.
    """The minimum of `x` over the analysis split."""
    return _moment(x, "min")


def max(x: Any, name: str | None = None) -> np.ndarray:  # noqa: A001 - TFT's name.
    """The maximum of `x` over the analysis split."""
    return _moment(x, "max")


def sum(x: Any, name: str | None = None) -> np.ndarray:  # noqa: A001 - TFT's name.
    """The sum of `x` over the analysis split."""
    return _moment(x, "sum")


def size(x: Any, name: str | None = None) -> np.ndarray:
    """The number of (non-missing) values of `x` over the analysis split."""
    return current_context().analyzer("size", _numeric(x, "size"), lambda: _MomentsAnalyzer("size"), (), np.int64)


def quantiles(x: Any, num_buckets: int, epsilon: float = 0.01, name: str | None = None) -> np.ndarray:
    """`num_buckets - 1` boundaries splitting `x` into equal-count buckets (from a
    uniform sample of up to 100,000 values: exact below that, approximate above)."""
    if num_buckets < 2:
        raise ValueError(f"tft.quantiles needs num_buckets >= 2. Received: num_buckets={num_buckets}")
    return current_context().analyzer(
        f"quantiles/{num_buckets}", _numeric(x, "quantiles"), lambda: _QuantilesAnalyzer(num_buckets), (num_buckets - 1,))


def vocabulary(x: Any, top_k: int | None = None, frequency_threshold: int | None = None,
               vocab_filename: str | None = None, name: str | None = None) -> Any:
    """The distinct values of `x`, most frequent first (a list of strings once fitted)."""
    return current_context().analyzer(
        f"vocabulary/{vocab_filename or ''}", _strings(x), lambda: _VocabularyAnalyzer(top_k, frequency_threshold), (0,), object)


def scale_to_z_score(x: Any, elementwise: bool = False, name: str | None = None,
                     output_dtype: Any = np.float32) -> np.ndarray:
    """`(x - mean(x)) / std(x)` with the analysis split's mean and standard deviation
    (a constant feature is only centred)."""
    values = _numeric(x, "scale_to_z_score")
    mean_value, var_value = mean(values), var(values)
    std = np.sqrt(var_value)
    std = np.where(std > 0, std, 1.0).view(type(std)) if std.ndim == 0 else std
    return ((values - mean_value) / std).astype(output_dtype)


def scale_by_min_max(x: Any, output_min: float = 0.0, output_max: float = 1.0,
                     elementwise: bool = False, name: str | None = None) -> np.ndarray:
    """Scales `x` linearly so the analysis split's min/max map to `output_min`/`output_max`
    (a constant feature maps to the middle)."""
    values = _numeric(x, "scale_by_min_max")
    low, high = min(values), max(values)
    span = high - low
    scaled = (values - low) / np.where(span > 0, span, 1.0)
    scaled = np.where(span > 0, scaled, 0.5).view(type(scaled)) if span.ndim == 0 else scaled
    return (output_min + scaled * (output_max - output_min)).astype(np.float32)


def scale_to_0_1(x: Any, elementwise: bool = False, name: str | None = None) -> np.ndarray:
    """Scales `x` to [0, 1] with the analysis split's min and max."""
    return scale_by_min_max(x, 0.0, 1.0)


def _hash_bucket(values: np.ndarray, num_buckets: int) -> np.ndarray:
    return np.array([int.from_bytes(hashlib.blake2b(str(value).encode(), digest_size=8).digest(), "little") % num_buckets
                     for value in values.ravel()], dtype=np.int64).reshape(values.shape)


def apply_vocabulary(x: Any, deferred_vocab_filename_tensor: Any, default_value: int = -1,
                     num_oov_buckets: int = 0, name: str | None = None) -> np.ndarray:
    """Maps each value of `x` to its index in a fitted vocabulary; unknown values to
    `default_value`, or to one of `num_oov_buckets` extra ids by hash."""
    values = _strings(x)
    vocabulary_values = deferred_vocab_filename_tensor
    if hasattr(vocabulary_values, "view") and vocabulary_values.__class__.__name__ == "Pending":
        return np.zeros(values.shape, dtype=np.int64).view(type(vocabulary_values))
    table = {value: index for index, value in enumerate(vocabulary_values)}
    flat = values.ravel()
    ids = np.array([table.get(value if isinstance(value, str) else str(value), -1) for value in flat], dtype=np.int64)
    unknown = ids < 0
    if unknown.any():
        if num_oov_buckets:
            ids[unknown] = len(table) + _hash_bucket(flat[unknown], num_oov_buckets)
        else:
            ids[unknown] = default_value
    return ids.reshape(values.shape)


def compute_and_apply_vocabulary(x: Any, default_value: int = -1, top_k: int | None = None,
                                 frequency_threshold: int | None = None, num_oov_buckets: int = 0,
                                 vocab_filename: str | None = None, name: str | None = None) -> np.ndarray:
    """Fits a vocabulary of `x` on the analysis split and maps `x` to int64 ids.

    Example:

    ```python
    outputs["island"] = tft.compute_and_apply_vocabulary(inputs["island"], num_oov_buckets=1)
    ```
    """
    fitted = vocabulary(x, top_k=top_k, frequency_threshold=frequency_threshold, vocab_filename=vocab_filename)
    return apply_vocabulary(x, fitted, default_value=default_value, num_oov_buckets=num_oov_buckets)


def apply_buckets(x: Any, bucket_boundaries: Any, name: str | None = None) -> np.ndarray:
    """The bucket index of each value of `x` given sorted boundaries (NaN -> bucket 0)."""
    values = _numeric(x, "apply_buckets")
    boundaries = np.asarray(bucket_boundaries, dtype=np.float64)
    result = np.searchsorted(boundaries, np.nan_to_num(values, nan=-np.inf), side="right").astype(np.int64)
    return result.view(type(bucket_boundaries)) if type(bucket_boundaries).__name__ == "Pending" else result


def bucketize(x: Any, num_buckets: int, epsilon: float | None = None, name: str | None = None) -> np.ndarray:
    """The quantile bucket (0 .. num_buckets - 1) of each value, boundaries fitted on the analysis split."""
    return apply_buckets(x, quantiles(x, num_buckets))


def hash_strings(strings: Any, hash_buckets: int, name: str | None = None) -> np.ndarray:
    """A stable hash bucket in [0, hash_buckets) per string (no analysis)."""
    return _hash_bucket(_strings(strings), hash_buckets)
