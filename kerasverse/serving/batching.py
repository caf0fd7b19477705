"""Dynamic batching: merging concurrent requests into one model call, padded to batch buckets."""

import collections
import concurrent.futures
import dataclasses
import threading
import time
from collections.abc import Callable

import numpy as np

from kerasverse.serving.errors import ServingError

Features = dict[str, np.ndarray]


@dataclasses.dataclass(frozen=True)
class BatchingParameters:
    """TF Serving's `BatchingParameters` (the `--batching_parameters_file` fields we use).

    Args:
        max_batch_size: the most rows in one model call.
        batch_timeout_micros: how long the first request of a batch waits for
            others before the batch runs anyway.
        max_enqueued_batches: queued work, in batches, before requests are
            refused (`UNAVAILABLE`, HTTP 503).
        num_batch_threads: threads running batches.
        allowed_batch_sizes: the batch buckets (ascending, the last equal to
            `max_batch_size`); a batch is padded up to the next bucket so a
            compiled model sees these sizes only. Default: powers of two.

    Example:

    >>> BatchingParameters(max_batch_size=8).buckets
    (1, 2, 4, 8)
    """

    max_batch_size: int = 32
    batch_timeout_micros: int = 1000
    max_enqueued_batches: int = 100
    num_batch_threads: int = 1
    allowed_batch_sizes: tuple = ()

    def __post_init__(self):
        for field in ("max_batch_size", "max_enqueued_batches", "num_batch_threads"):
            value = getattr(self, field)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"`{field}` must be a positive integer. Received: {field}={value!r}")
        if isinstance(self.batch_timeout_micros, bool) or not isinstance(self.batch_timeout_micros, int) or self.batch_timeout_micros < 0:
            raise ValueError(f"`batch_timeout_micros` must be an integer >= 0. Received: {self.batch_timeout_micros!r}")
        sizes = tuple(self.allowed_batch_sizes)
        if sizes and (list(sizes) != sorted(set(sizes)) or sizes[-1] != self.max_batch_size or sizes[0] < 1):
            raise ValueError(
                "`allowed_batch_sizes` must be increasing positive sizes ending with max_batch_size="
                f"{self.max_batch_size}. Received: allowed_batch_sizes={list(sizes)}"
            )

    @property
    def buckets(self) -> tuple:
        if self.allowed_batch_sizes:
            return tuple(self.allowed_batch_sizes)
        sizes, size = [], 1
        while size < self.max_batch_size:
            sizes.append(size)
            size *= 2
        return (*sizes, self.max_batch_size)


class BucketRunner:
    """Runs a batch function on batches padded up to fixed bucket sizes.

    A batch larger than the largest bucket runs in chunks of that size. The
    padding rows repeat the last row and are sliced off the outputs.

    Args:
        predict_batch: `features -> outputs`, both dicts of batch-first arrays.
        buckets: the allowed batch sizes, ascending.
    """

    def __init__(self, predict_batch: Callable[[Features], Features], buckets: tuple):
        self.predict_batch = predict_batch
        self.buckets = tuple(buckets)
        self.seen_sizes: set[int] = set()

    def __call__(self, features: Features) -> Features:
        size = len(next(iter(features.values())))
        largest = self.buckets[-1]
        if size > largest:
            parts = [self(_slice(features, start, start + largest)) for start in range(0, size, largest)]
            return {name: np.concatenate([p[name] for p in parts]) for name in parts[0]}
        bucket = next(b for b in self.buckets if b >= size)
        if bucket > size:
            features = {name: _pad(array, bucket) for name, array in features.items()}
        self.seen_sizes.add(bucket)
        outputs = self.predict_batch(features)
        return {name: np.asarray(value)[:size] for name, value in outputs.items()}


def _slice(features: Features, start: int, stop: int) -> Features:
    return {name: array[start:stop] for name, array in features.items()}


def _pad(array: np.ndarray, size: int) -> np.ndarray:
    repeats = np.repeat(array[-1:], size - len(array), axis=0)
    return np.concatenate([array, repeats])


@dataclasses.dataclass
class _Task:
    features: Features
    size: int
    key: tuple
    future: concurrent.futures.Future
    enqueued: float


class BatchScheduler:
    """Merges concurrent requests into batches run by worker threads.

    `submit` returns a `concurrent.futures.Future` of the request's outputs.
    A worker takes the oldest request, waits up to `batch_timeout_micros`
    for more requests with the same non-batch shapes until `max_batch_size`
    rows are queued, runs them as one call of `run` (a `BucketRunner`), and
    splits the outputs back.

    Args:
        run: `features -> outputs` for a merged batch.
        parameters: a `BatchingParameters`.
        on_batch: optional callback `(rows, bucket)` after each batch (metrics).
    """

    def __init__(self, run: Callable[[Features], Features], parameters: BatchingParameters, on_batch=None):
        self.run = run
        self.parameters = parameters
        self.on_batch = on_batch
        self._queue: collections.deque[_Task] = collections.deque()
        self._queued_rows = 0
        self._condition = threading.Condition()
        self._closed = False
        self._threads = [
            threading.Thread(target=self._work, name=f"kerasverse-batch-{i}", daemon=True)
            for i in range(parameters.num_batch_threads)
        ]
        for thread in self._threads:
            thread.start()

    def submit(self, features: Features) -> concurrent.futures.Future:
        size = len(next(iter(features.values())))
        key = tuple((name, array.shape[1:], array.dtype.str) for name, array in sorted(features.items()))
        future: concurrent.futures.Future = concurrent.futures.Future()
        limit = self.parameters.max_enqueued_batches * self.parameters.max_batch_size
        with self._condition:
            if self._closed:
                raise ServingError("The batch scheduler is shut down.", "UNAVAILABLE")
            if self._queued_rows + size > limit and self._queue:
                raise ServingError(
                    "The batch scheduling queue to which this task was submitted is full", "UNAVAILABLE"
                )
            self._queue.append(_Task(features, size, key, future, time.monotonic()))
            self._queued_rows += size
            self._condition.notify()
        return future

    def close(self) -> None:
        with self._condition:
            self._closed = True
            self._condition.notify_all()
        for thread in self._threads:
            thread.join(timeout=5)

    def _take_batch(self) -> list[_Task] | None:
        max_rows = self.parameters.max_batch_size
        timeout = self.parameters.batch_timeout_micros / 1e6
        with self._condition:
            while not self._queue and not self._closed:
                self._condition.wait()
            if not self._queue:
                return None
            first = self._queue[0]
            deadline = first.enqueued + timeout
            while not self._closed:
                rows = sum(t.size for t in self._queue if t.key == first.key)
                remaining = deadline - time.monotonic()
                if rows >= max_rows or remaining <= 0:
                    break
                self._condition.wait(remaining)
            batch, rows, kept = [], 0, collections.deque()
            while self._queue:
                task = self._queue.popleft()
                if task.key == first.key and (not batch or rows + task.size <= max_rows):
                    batch.append(task)
                    rows += task.size
                else:
                    kept.append(task)
            self._queue.extendleft(reversed(kept))
            self._queued_rows -= rows
            return batch

    def _work(self) -> None:
        while True:
            batch = self._take_batch()
            if batch is None:
                return
            self._run(batch)

    def _run(self, batch: list[_Task]) -> None:
        try:
            if len(batch) == 1:
                merged = batch[0].features
            else:
                merged = {name: np.concatenate([t.features[name] for t in batch]) for name in batch[0].features}
            outputs = self.run(merged)
        except BaseException as error:  # noqa: BLE001 -- handed to every waiting request
            for task in batch:
                task.future.set_exception(error)
            return
        if self.on_batch:
            self.on_batch(sum(t.size for t in batch))
        start = 0
        for task in batch:
            task.future.set_result({name: value[start : start + task.size] for name, value in outputs.items()})
            start += task.size
