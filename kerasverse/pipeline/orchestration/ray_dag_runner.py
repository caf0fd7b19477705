"""`RayDagRunner`: each component's executor runs as a Ray task, independent components at
the same time; data steps fan out over shards."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from kerasverse.pipeline.dsl.pipeline import Pipeline
from kerasverse.pipeline.orchestration.launcher import PipelineLauncher
from kerasverse.pipeline.orchestration.launcher import PipelineRunResult
from kerasverse.pipeline.orchestration.launcher import run_executor
from kerasverse.pipeline.orchestration.local_dag_runner import raise_on_failure


def _ray():
    try:
        import ray
    except ImportError as error:
        raise ImportError("RayDagRunner needs Ray: `pip install 'kerasverse[ray]'`.") from error
    return ray


def _unwrap(error: BaseException) -> BaseException:
    cause = getattr(error, "cause", None)
    return cause if isinstance(cause, BaseException) else error


def ray_parallel_map(fn: Callable, items: list) -> list:
    """Runs `fn` over `items` as Ray tasks (one per shard); results in order."""
    ray = _ray()
    remote = ray.remote(num_cpus=1)(fn)
    try:
        return ray.get([remote.remote(item) for item in items])
    except ray.exceptions.RayTaskError as error:
        raise _unwrap(error) from None


def _call_executor_as_task(executor_class, context, input_dict, output_dict, exec_properties) -> tuple:
    ray = _ray()
    # A Trainer that submits a `kerasverse.cloud` job only waits for it: its task holds
    # no CPU, so the job's processes can take them all.
    waits = isinstance(exec_properties.get("custom_config"), dict) and exec_properties["custom_config"].get("cloud")
    remote = ray.remote(num_cpus=0 if waits else 1, max_retries=0)(run_executor)
    try:
        return ray.get(remote.remote(executor_class, context, input_dict, output_dict, exec_properties))
    except ray.exceptions.RayTaskError as error:
        raise _unwrap(error) from None


class RayDagRunner:
    """Runs a `Pipeline` on Ray: every executor is a Ray task, and StatisticsGen and
    Transform process their Parquet shards as parallel tasks.

    Components run as TFX's Beam and Kubeflow orchestrators run them: each
    starts as soon as the components it reads from are done, so independent
    branches of the DAG (ExampleValidator beside Transform, Tuner beside
    Evaluator's resolver...) run concurrently, as far as the cluster's CPUs
    allow (each executor task asks for one). The metadata store and caching
    stay with the driver: each execution is registered when it starts and
    published -- outputs, events and final state -- in one transaction when
    it ends, exactly as under `LocalDagRunner`.

    Args:
        address: A Ray cluster address (`"ray://head:10001"`, `"auto"`); None
            starts (or reuses) a local Ray.
        num_cpus: CPUs of the local Ray started when `address` is None.
        raise_on_failure: As for `LocalDagRunner`.
        runtime_env: Extra Ray `runtime_env` (the backend and `PYTHONPATH` are set).
        max_concurrent_components: At most this many components at once
            (None: as many as are ready; 1: one after the other).

    Example:

    ```python
    result = tfx.orchestration.RayDagRunner().run(pipeline)    # local Ray
    result = tfx.orchestration.RayDagRunner(address="auto").run(pipeline)
    ```
    """

    def __init__(self, address: str | None = None, num_cpus: int | None = None, raise_on_failure: bool = True,
                 runtime_env: dict[str, Any] | None = None, max_concurrent_components: int | None = None) -> None:
        if max_concurrent_components is not None and (
                not isinstance(max_concurrent_components, int) or max_concurrent_components < 1):
            raise ValueError("RayDagRunner(max_concurrent_components=...) must be None or an int >= 1. "
                             f"Received: {max_concurrent_components!r}")
        self.max_concurrent_components = max_concurrent_components
        self.address = address
        self.num_cpus = num_cpus
        self.raise_on_failure = raise_on_failure
        self.runtime_env = runtime_env or {}

    def _init(self) -> None:
        ray = _ray()
        if ray.is_initialized():
            return
        import kerasverse

        package_root = os.path.dirname(os.path.dirname(os.path.abspath(kerasverse.__file__)))
        env_vars = {"KERAS_BACKEND": os.environ.get("KERAS_BACKEND", "jax"),
                    "PYTHONPATH": os.pathsep.join(filter(None, [package_root, os.environ.get("PYTHONPATH")]))}
        runtime_env = {**self.runtime_env, "env_vars": {**env_vars, **self.runtime_env.get("env_vars", {})}}
        kwargs: dict[str, Any] = {"include_dashboard": False, "runtime_env": runtime_env, "log_to_driver": False}
        if self.address is None and self.num_cpus is not None:
            kwargs["num_cpus"] = self.num_cpus
        ray.init(address=self.address, **kwargs)

    def run(self, pipeline: Pipeline) -> PipelineRunResult:
        """Runs the pipeline on Ray; returns component id -> state."""
        if not isinstance(pipeline, Pipeline):
            raise TypeError(f"run(pipeline) expects a `tfx.dsl.Pipeline`. Received: {pipeline!r}")
        self._init()
        result = PipelineLauncher(pipeline, _call_executor_as_task, parallel_map=ray_parallel_map,
                                  max_concurrent=self.max_concurrent_components).run()
        return raise_on_failure(result) if self.raise_on_failure else result
