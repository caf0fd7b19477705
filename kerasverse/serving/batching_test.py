import concurrent.futures
import threading

import numpy as np
import pytest

from kerasverse.serving.batching import BatchingParameters
from kerasverse.serving.batching import BatchScheduler
from kerasverse.serving.batching import BucketRunner
from kerasverse.serving.errors import ServingError

pytestmark = pytest.mark.host


class Recorder:
    def __init__(self, delay=None):
        self.sizes = []
        self.delay = delay

    def __call__(self, features):
        if self.delay:
            self.delay.wait(5)
        x = features["x"]
        self.sizes.append(len(x))
        return {"y": x.sum(axis=tuple(range(1, x.ndim))) if x.ndim > 1 else x * 2}


def test_buckets_pad_and_chunk():
    recorder = Recorder()
    runner = BucketRunner(recorder, (1, 2, 4, 8))
    for size in (1, 3, 5, 8, 19):
        x = np.arange(size, dtype="float32")
        np.testing.assert_array_equal(runner({"x": x})["y"], x * 2)
    assert recorder.sizes == [1, 4, 8, 8, 8, 8, 4]
    assert runner.seen_sizes == {1, 4, 8}


def test_parameters_are_checked():
    assert BatchingParameters(max_batch_size=6).buckets == (1, 2, 4, 6)
    with pytest.raises(ValueError, match="must end|ending with max_batch_size=8"):
        BatchingParameters(max_batch_size=8, allowed_batch_sizes=(2, 4))
    with pytest.raises(ValueError, match="`max_batch_size` must be a positive integer. Received: max_batch_size=0"):
        BatchingParameters(max_batch_size=0)


def test_concurrent_requests_are_merged_and_split_back():
    gate = threading.Event()
    recorder = Recorder(delay=gate)
    scheduler = BatchScheduler(BucketRunner(recorder, (1, 2, 4, 8, 16)), BatchingParameters(max_batch_size=16, batch_timeout_micros=200000))
    try:
        first = scheduler.submit({"x": np.full((1, 2), 100.0, "float32")})  # Waits up to 200 ms for company.
        futures = [scheduler.submit({"x": np.full((2, 2), i, "float32")}) for i in range(6)]
        gate.set()
        assert first.result(10)["y"].tolist() == [200.0]
        for i, future in enumerate(futures):
            assert future.result(10)["y"].tolist() == [2.0 * i, 2.0 * i]
    finally:
        scheduler.close()
    assert recorder.sizes == [16]  # 13 rows in one call, padded to the 16 bucket.


def test_requests_of_other_shapes_are_not_merged():
    recorder = Recorder()
    scheduler = BatchScheduler(BucketRunner(recorder, (1, 2, 4)), BatchingParameters(max_batch_size=4, batch_timeout_micros=50000))
    try:
        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            small = [pool.submit(lambda: scheduler.submit({"x": np.ones((1, 2), "float32")}).result(10)) for _ in range(2)]
            large = [pool.submit(lambda: scheduler.submit({"x": np.ones((1, 3), "float32")}).result(10)) for _ in range(2)]
            assert [f.result()["y"].tolist() for f in small] == [[2.0], [2.0]]
            assert [f.result()["y"].tolist() for f in large] == [[3.0], [3.0]]
    finally:
        scheduler.close()


def test_full_queue_is_refused():
    gate = threading.Event()
    scheduler = BatchScheduler(BucketRunner(Recorder(delay=gate), (1, 2)), BatchingParameters(max_batch_size=2, max_enqueued_batches=1, batch_timeout_micros=0))
    try:
        scheduler.submit({"x": np.ones((2,), "float32")})
        pending = []
        with pytest.raises(ServingError, match="queue to which this task was submitted is full") as info:
            for _ in range(4):
                pending.append(scheduler.submit({"x": np.ones((2,), "float32")}))
        assert info.value.http_status == 503
    finally:
        gate.set()
        scheduler.close()
