"""`Metrics`: request counts, latency and batch-size histograms in Prometheus' text format."""

import bisect
import contextlib
import threading
import time

from kerasverse.serving.errors import ServingError

# TF Serving's metric names (`:tensorflow:serving:...`), so existing dashboards keep working.
REQUEST_COUNT = ":tensorflow:serving:request_count"
REQUEST_LATENCY = ":tensorflow:serving:request_latency"
BATCH_SIZE = ":tensorflow:serving:batching_session:processed_batch_size"
LATENCY_BUCKETS_US = (100, 250, 500, 1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000, 500000, 1000000, 5000000)
BATCH_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512)


def _labels(labels: dict) -> str:
    def escape(value):
        return str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")

    return ",".join(f'{key}="{escape(value)}"' for key, value in labels.items())


class RequestRecord:
    """The version label of a request being timed (`Metrics.timed_request`)."""

    def __init__(self, version: str):
        self.version = version


class _Histogram:
    def __init__(self, buckets):
        self.buckets = buckets
        self.counts = [0] * (len(buckets) + 1)
        self.total = 0.0

    def observe(self, value: float) -> None:
        self.counts[bisect.bisect_left(self.buckets, value)] += 1
        self.total += value


class Metrics:
    """Thread-safe counters and histograms per model and version, rendered for `/monitoring/prometheus/metrics`.

    Example:

    >>> metrics = Metrics()
    >>> metrics.record_request("digits", "1", "predict", "OK", 0.004)
    >>> ':tensorflow:serving:request_count{model_name="digits",version="1",API="predict",entrypoint="REST",status="OK"} 1' in metrics.render()
    True
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._counts: dict[tuple, int] = {}
        self._latency: dict[tuple, _Histogram] = {}
        self._batches: dict[tuple, _Histogram] = {}

    @contextlib.contextmanager
    def timed_request(self, model: str, version, api: str, entrypoint: str = "REST", record: bool = True):
        """Counts one request and its latency, with the status it ended with.

        Yields a `RequestRecord` whose `version` the caller sets once the
        servable is chosen. A `ServingError` counts with its code, any other
        exception as INTERNAL; both are re-raised.
        """
        request = RequestRecord(str(version or ""))
        started, code = time.perf_counter(), "OK"
        try:
            yield request
        except ServingError as error:
            code = error.code
            raise
        except Exception:
            code = "INTERNAL"
            raise
        finally:
            if record:
                self.record_request(model, request.version, api, code, time.perf_counter() - started, entrypoint)

    def record_request(self, model: str, version: str, api: str, status: str, seconds: float, entrypoint: str = "REST") -> None:
        key = (("model_name", model), ("version", version), ("API", api), ("entrypoint", entrypoint), ("status", status))
        with self._lock:
            self._counts[key] = self._counts.get(key, 0) + 1
            if status == "OK":
                latency_key = key[:4]
                histogram = self._latency.get(latency_key)
                if histogram is None:
                    histogram = self._latency[latency_key] = _Histogram(LATENCY_BUCKETS_US)
                histogram.observe(seconds * 1e6)

    def record_batch(self, model: str, version: int, rows: int) -> None:
        key = (("model_name", model), ("version", str(version)))
        with self._lock:
            histogram = self._batches.get(key)
            if histogram is None:
                histogram = self._batches[key] = _Histogram(BATCH_BUCKETS)
            histogram.observe(rows)

    def render(self, runtimes: dict[str, dict[int, str]] | None = None) -> str:
        lines = [f"# TYPE {REQUEST_COUNT} counter"]
        with self._lock:
            for key, count in sorted(self._counts.items()):
                lines.append(f"{REQUEST_COUNT}{{{_labels(dict(key))}}} {count}")
            for name, histograms, unit in (
                (REQUEST_LATENCY, self._latency, "microseconds"),
                (BATCH_SIZE, self._batches, "rows"),
            ):
                lines.append(f"# HELP {name} Histogram ({unit}).")
                lines.append(f"# TYPE {name} histogram")
                for key, histogram in sorted(histograms.items()):
                    labels = dict(key)
                    cumulative = 0
                    for bound, count in zip((*histogram.buckets, "+Inf"), histogram.counts):
                        cumulative += count
                        lines.append(f"{name}_bucket{{{_labels({**labels, 'le': bound})}}} {cumulative}")
                    lines.append(f"{name}_sum{{{_labels(labels)}}} {histogram.total:g}")
                    lines.append(f"{name}_count{{{_labels(labels)}}} {cumulative}")
        if runtimes:
            lines.append("# TYPE kerasverse_serving_model_runtime gauge")
            for model, versions in sorted(runtimes.items()):
                for version, runtime in sorted(versions.items()):
                    labels = _labels({"model_name": model, "version": version, "runtime": runtime})
                    lines.append(f"kerasverse_serving_model_runtime{{{labels}}} 1")
        return "\n".join(lines) + "\n"
