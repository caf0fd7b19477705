"""`ModelManager`: loads, serves and unloads model versions, with TF Serving's version states."""

import contextlib
import dataclasses
import logging
import threading
import time

from kerasverse.serving.batching import BatchingParameters
from kerasverse.serving.batching import BatchScheduler
from kerasverse.serving.batching import BucketRunner
from kerasverse.serving.config import ModelConfig
from kerasverse.serving.errors import ServingError
from kerasverse.serving.errors import invalid_argument
from kerasverse.serving.errors import not_found
from kerasverse.serving.loader import LoadOptions
from kerasverse.serving.loader import find_model_file
from kerasverse.serving.loader import folder_signature
from kerasverse.serving.loader import load_version
from kerasverse.serving.model_source import FileSystemModelSource
from kerasverse.serving.model_source import ModelSource
from kerasverse.serving.runtime import Runtime

logger = logging.getLogger("kerasverse.serving")

# TF Serving's ModelVersionStatus.State names.
START, LOADING, AVAILABLE, UNLOADING, END = "START", "LOADING", "AVAILABLE", "UNLOADING", "END"
DEFAULT_BUCKETS = (1, 2, 4, 8, 16, 32, 64)


@dataclasses.dataclass
class Servable:
    """One version of a model and its state."""

    version: int
    path: str
    state: str = START
    error_code: str = "OK"
    error_message: str = ""
    runtime: Runtime | None = None
    runner: BucketRunner | None = None
    scheduler: BatchScheduler | None = None
    in_flight: int = 0
    signature: tuple = ()

    def predict(self, features):
        """Runs preprocessed features through the batcher (or directly), padded to buckets."""
        if self.scheduler is not None:
            return self.scheduler.submit(features).result()
        return self.runner(features)


class ServedModel:
    """The versions of one model: policy, labels, in-flight counts.

    Args:
        config: its `ModelConfig`.
        source: where versions come from (default: the config's folder).
        options: `LoadOptions`.
        batching: `BatchingParameters` to merge requests, or None (each
            request runs alone, still padded to the default batch buckets).
        on_batch: metrics callback `(model, version, rows)`.
    """

    def __init__(self, config: ModelConfig, source: ModelSource | None = None, options: LoadOptions | None = None,
                 batching: BatchingParameters | None = None, on_batch=None):
        self.config = config
        self.name = config.name
        self.source = source or FileSystemModelSource(config.base_path)
        self.options = options or LoadOptions()
        self.batching = batching
        self.on_batch = on_batch
        self.versions: dict[int, Servable] = {}
        self._lock = threading.Condition()

    # ---- request side ----

    @contextlib.contextmanager
    def acquire(self, version: int | None = None, label: str | None = None, api: str = "predict"):
        """Holds an AVAILABLE version for one request; it is not unloaded before the block ends."""
        with self._lock:
            servable = self._resolve(version, label)
            servable.in_flight += 1
        try:
            yield servable
        finally:
            with self._lock:
                servable.in_flight -= 1
                if servable.in_flight == 0:
                    self._lock.notify_all()

    def _resolve(self, version, label) -> Servable:
        if label is not None:
            if label not in self.config.version_labels:
                raise invalid_argument(f"Unrecognized servable version label: {label}")
            version = self.config.version_labels[label]
        if version is None:
            available = [v for v, s in self.versions.items() if s.state == AVAILABLE]
            if not available:
                raise not_found(f"Servable not found for request: Latest({self.name})")
            return self.versions[max(available)]
        servable = self.versions.get(version)
        if servable is None or servable.state != AVAILABLE:
            raise not_found(f"Servable not found for request: Specific({self.name}, {version})")
        return servable

    def status(self, version: int | None = None, label: str | None = None) -> list[dict]:
        """TF Serving's `model_version_status` list (newest first)."""
        with self._lock:
            if label is not None:
                if label not in self.config.version_labels:
                    raise invalid_argument(f"Unrecognized servable version label: {label}")
                version = self.config.version_labels[label]
            if version is not None:
                if version not in self.versions:
                    raise not_found(f"Could not find version {version} of model {self.name}")
                servables = [self.versions[version]]
            else:
                if not self.versions:
                    raise not_found(f"Could not find any versions of model {self.name}")
                servables = [self.versions[v] for v in sorted(self.versions, reverse=True)]
            return [
                {
                    "version": str(s.version),
                    "state": s.state,
                    "status": {"error_code": s.error_code, "error_message": s.error_message},
                }
                for s in servables
            ]

    def runtimes(self) -> dict[int, str]:
        with self._lock:
            return {v: s.runtime.name for v, s in self.versions.items() if s.runtime is not None and s.state == AVAILABLE}

    def ready(self) -> bool:
        with self._lock:
            return any(s.state == AVAILABLE for s in self.versions.values())

    # ---- loading side (called from the poll thread) ----

    def _aspired(self, on_disk: dict[int, str]) -> set[int]:
        usable = {
            v for v in on_disk
            if not (v in self.versions and self.versions[v].state == END and self.versions[v].error_code != "OK"
                    and self.versions[v].signature == folder_signature(on_disk[v]))
        }
        if self.config.version_policy == "all":
            return usable
        if self.config.version_policy == "specific":
            return usable & set(self.config.versions)
        complete = sorted((v for v in usable if find_model_file(on_disk[v]) is not None), reverse=True)
        return set(complete[: self.config.num_versions])

    def poll(self) -> None:
        """Loads aspired versions that are not loaded; unloads the others once an aspired one is available."""
        on_disk = self.source.list_versions()
        aspired = self._aspired(on_disk)
        for version in sorted(aspired, reverse=True):
            current = self.versions.get(version)
            if current is not None and current.state in (LOADING, AVAILABLE, UNLOADING):
                continue
            if current is not None and current.state == END and current.error_code == "OK":
                continue  # Unloaded on purpose: TF Serving does not reload it either.
            if find_model_file(on_disk[version]) is None:
                continue  # Still being written.
            self._load(version, on_disk[version])
        with self._lock:
            any_aspired_available = any(self.versions[v].state == AVAILABLE for v in aspired if v in self.versions)
            to_unload = [
                s for v, s in self.versions.items()
                if s.state == AVAILABLE and v not in aspired and (any_aspired_available or not aspired)
            ]
            for servable in to_unload:
                servable.state = UNLOADING
        for servable in to_unload:
            threading.Thread(target=self._unload, args=(servable,), daemon=True, name=f"unload-{self.name}").start()

    def _load(self, version: int, path: str) -> None:
        servable = Servable(version, path, state=LOADING, signature=folder_signature(path))
        with self._lock:
            self.versions[version] = servable
        started = time.monotonic()
        try:
            runtime = load_version(path, self.options)
            runner = BucketRunner(runtime.predict_batch, self.batching.buckets if self.batching else DEFAULT_BUCKETS)
            _warm_up(runtime, runner)
            scheduler = None
            if self.batching is not None:
                on_batch = (lambda rows, v=version: self.on_batch(self.name, v, rows)) if self.on_batch else None
                scheduler = BatchScheduler(runner, self.batching, on_batch=on_batch)
        except Exception as error:  # noqa: BLE001 -- a failed load is reported in the status route
            logger.warning("Loading %s version %s failed: %s", self.name, version, error)
            with self._lock:
                servable.state = END
                servable.error_code = error.code if isinstance(error, ServingError) else "UNKNOWN"
                servable.error_message = f"{type(error).__name__}: {error}"
            return
        with self._lock:
            servable.runtime, servable.runner, servable.scheduler = runtime, runner, scheduler
            servable.state = AVAILABLE
        logger.info("Loaded %s version %s (%s) in %.2f s", self.name, version, runtime.name, time.monotonic() - started)

    def _unload(self, servable: Servable, timeout: float = 300.0) -> None:
        deadline = time.monotonic() + timeout
        with self._lock:
            while servable.in_flight and time.monotonic() < deadline:
                self._lock.wait(0.1)
        if servable.scheduler is not None:
            servable.scheduler.close()
        if servable.runtime is not None:
            servable.runtime.close()
        with self._lock:
            servable.runtime = servable.runner = servable.scheduler = None
            servable.state = END
        logger.info("Unloaded %s version %s", self.name, servable.version)

    def close(self) -> None:
        with self._lock:
            servables = [s for s in self.versions.values() if s.state == AVAILABLE]
            for servable in servables:
                servable.state = UNLOADING
        for servable in servables:
            self._unload(servable, timeout=5.0)


def _warm_up(runtime: Runtime, runner: BucketRunner) -> None:
    """Runs every batch bucket once at load time, so no request pays for a compilation.

    The example row is zeros (the text `"warm up"` for string inputs), put
    through `preprocess` like a request; models with a free non-batch
    dimension in their request signature are compiled on first use instead.
    """
    import numpy as np

    raw = {}
    for name, spec in runtime.inputs.items():
        if any(size is None for size in spec.shape[1:]):
            return
        if spec.dtype == "string":
            raw[name] = np.full((1, *spec.shape[1:]), "warm up", dtype=object)
        else:
            raw[name] = np.zeros((1, *spec.shape[1:]), dtype=spec.dtype)
    try:
        features = runtime.preprocess(raw)
    except Exception as error:  # noqa: BLE001 -- a transform may refuse made-up values; compile on first use then
        logger.info("No warm-up for %s: preprocessing an example row failed (%s)", runtime.name, error)
        return
    for bucket in runner.buckets:
        runner({name: np.repeat(array, bucket, axis=0) for name, array in features.items()})


class ModelManager:
    """All served models, and the thread that polls their folders.

    Args:
        configs: the `ModelConfig`s.
        options: `LoadOptions` for every model.
        batching: `BatchingParameters`, or None for no request merging.
        file_system_poll_wait_seconds: seconds between polls; 0 polls once.
        on_batch: metrics callback `(model, version, rows)`.
    """

    def __init__(self, configs: list[ModelConfig], options: LoadOptions | None = None,
                 batching: BatchingParameters | None = None, file_system_poll_wait_seconds: float = 1.0, on_batch=None):
        self.models = {c.name: ServedModel(c, options=options, batching=batching, on_batch=on_batch) for c in configs}
        self.poll_wait = file_system_poll_wait_seconds
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def get(self, name: str) -> ServedModel:
        model = self.models.get(name)
        if model is None:
            raise ServingError(f"Servable not found for request: Latest({name})", "NOT_FOUND")
        return model

    def poll(self) -> None:
        for model in self.models.values():
            try:
                model.poll()
            except Exception:  # noqa: BLE001 -- one model's folder must not stop the others
                logger.exception("Polling model %s failed", model.name)

    def start(self) -> None:
        """Polls once (loading the initial versions), then keeps polling in a thread."""
        self.poll()
        if self.poll_wait > 0:
            self._thread = threading.Thread(target=self._run, daemon=True, name="kerasverse-serving-poll")
            self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.poll_wait):
            self.poll()

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
        for model in self.models.values():
            model.close()
