"""`cloud.run()`: TensorFlow Cloud's `run` for Keras 3, on Ray Train."""

from __future__ import annotations

import datetime
import json
import os
import re
import sys
import threading
import traceback
import uuid
from collections.abc import Callable
from typing import Any

from kerasverse.cloud import cluster as cluster_module
from kerasverse.cloud import warm_pool
from kerasverse.cloud.machine_config import resolve_machine_config
from kerasverse.cloud.remote import remote

DEFAULT_DIRECTORY = os.path.join("~", ".kerasverse", "cloud")
_LABEL = re.compile(r"^[a-z0-9_-]{0,63}$")
_RUNTIME_ENV_EXCLUDES = [".git", ".venv*", "__pycache__", "*.pyc", "node_modules"]


def _main_script() -> str:
    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None)
    if not path or not path.endswith(".py"):
        raise ValueError(
            "`cloud.run(entry_point=None)` submits the script that calls it, but this code does "
            "not run from a .py script (a notebook or an interactive shell). Pass "
            "entry_point='train.py' or a function: cloud.run(train_fn, args=...). Received: "
            f"__main__.__file__={path!r}."
        )
    return os.path.abspath(path)


def _validate_labels(job_labels: Any) -> dict[str, str]:
    if job_labels is None:
        return {}
    if not isinstance(job_labels, dict) or len(job_labels) > 64:
        raise ValueError(
            "job_labels must be a dict of at most 64 str -> str labels. Received: "
            f"job_labels={job_labels!r}."
        )
    for key, value in job_labels.items():
        if not isinstance(key, str) or not isinstance(value, str) or not key or not _LABEL.match(key) or not _LABEL.match(value):
            raise ValueError(
                "Job labels are lowercase letters, digits, '-' and '_' (keys non-empty, at most "
                f"63 characters each), as TensorFlow Cloud required. Received: {key!r}: {value!r}."
            )
    return dict(job_labels)


def _process_resources(chief_config: Any, worker_config: Any, worker_count: int) -> dict[str, float]:
    chief = resolve_machine_config(chief_config, "chief_config")
    worker = resolve_machine_config(worker_config, "worker_config")
    if worker is None:
        worker = chief
    if chief is None:
        chief = worker
    if worker_count > 0 and chief is not None and worker is not None and chief != worker:
        raise ValueError(
            "Ray Train starts identical processes, so chief_config and worker_config must "
            "describe the same resources (or one of them be 'auto'). Received: "
            f"chief_config={chief_config!r} ({chief}), worker_config={worker_config!r} ({worker})."
        )
    if chief is None:
        chief = {"CPU": 1.0}
        if cluster_module.cluster_has_gpus():
            chief["GPU"] = 1.0
    return chief


def _check_placement(resources: dict[str, float], num_processes: int) -> None:
    placeable, nodes = cluster_module.placeable_processes(resources)
    if placeable < num_processes:
        totals: dict[str, float] = {}
        for node in nodes:
            for name in resources:
                totals[name] = totals.get(name, 0.0) + node.get(name, 0.0)
        raise ValueError(
            f"The Ray cluster cannot place {num_processes} processes (chief + "
            f"worker_count={num_processes - 1}) of {resources} each: its {len(nodes)} node(s) "
            f"hold {placeable} (cluster totals {totals}). Lower worker_count, ask for fewer "
            "resources with chief_config/worker_config (e.g. {'CPU': 1}), or add nodes."
        )


def _preload_env() -> dict[str, str]:
    """Ray's worker-process setup hook (an env var, as Ray implements it) for the job's processes.

    `worker.preload` imports Keras and the backend while Ray Train sets the
    process up (see there). Left out when the Ray job has its own setup
    hook, which the processes inherit.
    """
    import ray

    from kerasverse.cloud.worker import PRELOAD_HOOK

    try:
        from ray._private import ray_constants

        name = ray_constants.WORKER_PROCESS_SETUP_HOOK_ENV_VAR
        job_env = dict(ray.get_runtime_context().runtime_env or {})
    except Exception:  # Another Ray: go without the preload.
        return {}
    if name in (job_env.get("env_vars") or {}) or job_env.get("worker_process_setup_hook"):
        return {}
    return {name: PRELOAD_HOOK}


def _prestart_wanted(cluster) -> bool:
    """Warm processes for the next job: on a Ray this process reaches directly (not Ray Client)."""
    if os.environ.get("KERASVERSE_CLOUD_PRESTART", "1") == "0":
        return False
    return not (isinstance(cluster, str) and cluster.startswith("ray://"))


def _new_job_id() -> str:
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%d-%H%M%S")
    return f"kerasverse-cloud-{stamp}-{uuid.uuid4().hex[:6]}"


def write_job_record(job_dir: str, **fields: Any) -> None:
    path = os.path.join(job_dir, "job.json")
    record = {}
    if os.path.exists(path):
        with open(path) as file:
            record = json.load(file)
    record.update(fields)
    tmp = path + ".tmp"
    with open(tmp, "w") as file:
        json.dump(record, file, indent=1, default=str)
    os.replace(tmp, path)


def _failure_text(error: BaseException) -> str:
    """Ray Train's failure text holds each failing worker's traceback."""
    from ray.train import TrainingFailedError as V1Error
    from ray.train.v2.api.exceptions import TrainingFailedError

    if isinstance(error, (TrainingFailedError, V1Error)):
        return str(error)
    return "".join(traceback.format_exception(type(error), error, error.__traceback__))


def run(
    entry_point: str | Callable[..., Any] | None = None,
    requirements_txt: str | None = None,
    distribution_strategy: str | None = "auto",
    chief_config: Any = "auto",
    worker_config: Any = "auto",
    worker_count: int = 0,
    entry_point_args: list[str] | None = None,
    stream_logs: bool = False,
    job_labels: dict[str, str] | None = None,
    *,
    args: tuple = (),
    kwargs: dict[str, Any] | None = None,
    cluster: str | None = None,
    checkpoint_dir: str | None = None,
    max_failures: int = 0,
    wait: bool = True,
    seed: int = 0,
    job_id: str | None = None,
):
    """Runs a Keras script or function data-parallel on a Ray cluster.

    TensorFlow Cloud's `tfc.run` with its argument names and meanings, on
    Ray Train instead of GCP: `1 + worker_count` processes (the chief and the
    workers) run the same code; with `distribution_strategy="auto"` an
    unchanged `model.fit(x, y, batch_size=B)` trains synchronously
    data-parallel (JAX: `keras.distribution.DataParallel`; PyTorch: gradients
    all-reduced over gloo/NCCL), each step on the same global batch of `B`
    samples a single process would use. Inside the job, `run` returns None at
    once and `cloud.remote()` is True.

    Args:
        entry_point: A `.py` script, a function (run on every process with
            `args`/`kwargs`; the chief's return value comes back), or None for
            the script calling `run` (submitted, then this process exits after
            the job, as with TensorFlow Cloud).
        requirements_txt: A requirements file installed on the workers
            through Ray's runtime environment (`pip`).
        distribution_strategy: `"auto"` (data-parallel, see above) or None
            (every process runs the code as written).
        chief_config: `"auto"` (1 CPU, or 1 GPU on a GPU cluster), a name in
            `COMMON_MACHINE_CONFIGS` (`"CPU_4"`, `"T4_1X"`), a `MachineConfig`
            or a dict of Ray resources, for one process.
        worker_config: The same for the workers (`"auto"`: as the chief).
        worker_count: Processes besides the chief.
        entry_point_args: `sys.argv[1:]` of the script (for `entry_point=None`,
            default: this process' own arguments).
        stream_logs: Print the chief's output here while the job runs.
        job_labels: Labels recorded with the job (`job.json`, the result).
        args: Positional arguments of a function entry point.
        kwargs: Keyword arguments of a function entry point.
        cluster: None (a local Ray, started on demand), `"auto"` (the
            cluster `ray start` runs here) or an address (`"host:6379"`,
            `"ray://host:10001"`).
        checkpoint_dir: Where jobs keep logs and checkpoints (a directory
            every node can reach on a multi-node cluster). Defaults to
            `~/.kerasverse/cloud`.
        max_failures: How many times Ray Train restarts the processes after a
            failure (-1: without limit). When not 0, every epoch is
            checkpointed and a restarted group resumes from the last one.
        wait: Wait for the job (returns a `RunResult`) or return a `Job`
            at once.
        seed: Seed of the shuffling order shared by the processes.
        job_id: The job's name (default: `kerasverse-cloud-<time>-<random>`).

    Returns:
        A `RunResult` (`wait=True`), a `Job` (`wait=False`), or None inside a job.

    Raises:
        JobFailedError: the job failed; the message holds the worker tracebacks.
        ValueError: bad arguments, or a cluster that cannot place the processes.
        ConnectionError: the cluster address cannot be reached.

    Example:

    ```python
    def train(epochs):
        model = keras.Sequential([keras.layers.Dense(1)])
        model.compile("sgd", "mse")
        x, y = np.random.rand(64, 4), np.random.rand(64, 1)
        return model.fit(x, y, batch_size=16, epochs=epochs).history["loss"]

    result = cloud.run(train, args=(2,), worker_count=1)
    result.result  # The chief's losses.
    ```
    """
    if remote():
        return None
    function, script, exit_after = None, None, False
    if callable(entry_point):
        function = entry_point
    elif entry_point is None:
        script, exit_after = _main_script(), True
        if entry_point_args is None:
            entry_point_args = sys.argv[1:]
    elif isinstance(entry_point, (str, os.PathLike)):
        script = os.path.abspath(os.fspath(entry_point))
        if not script.endswith(".py") or not os.path.isfile(script):
            raise ValueError(
                f"entry_point must be an existing .py script or a function. Received: "
                f"entry_point={entry_point!r} ({'not found' if not os.path.exists(script) else 'not a .py file'})."
            )
    else:
        raise TypeError(
            "entry_point must be a path to a .py script, a function or None. Received: "
            f"entry_point={entry_point!r} of type {type(entry_point).__name__}."
        )
    if function is None and (args or kwargs):
        raise ValueError(
            "args/kwargs are for a function entry point; pass a script's arguments as "
            f"entry_point_args=[...]. Received: args={args!r}, kwargs={kwargs!r}."
        )
    if entry_point_args is not None and (
        not isinstance(entry_point_args, (list, tuple)) or not all(isinstance(a, str) for a in entry_point_args)
    ):
        raise ValueError(f"entry_point_args must be a list of str. Received: {entry_point_args!r}.")
    if distribution_strategy not in ("auto", None):
        raise ValueError(
            "distribution_strategy must be 'auto' or None. Received: "
            f"distribution_strategy={distribution_strategy!r}."
        )
    if not isinstance(worker_count, int) or isinstance(worker_count, bool) or worker_count < 0:
        raise ValueError(f"worker_count must be an int >= 0. Received: worker_count={worker_count!r}.")
    if not isinstance(max_failures, int) or max_failures < -1:
        raise ValueError(f"max_failures must be an int >= -1. Received: max_failures={max_failures!r}.")
    if requirements_txt is not None and not os.path.isfile(requirements_txt):
        raise ValueError(f"requirements_txt is not a file. Received: requirements_txt={requirements_txt!r}.")
    labels = _validate_labels(job_labels)
    # Machine configs are checked before connecting (an unknown name fails fast).
    resolve_machine_config(chief_config, "chief_config")
    resolve_machine_config(worker_config, "worker_config")

    import keras

    backend = keras.backend.backend()
    if distribution_strategy == "auto" and backend not in ("jax", "torch"):
        raise ValueError(
            "`cloud.run(distribution_strategy='auto')` supports the JAX and PyTorch backends. "
            f"Received: KERAS_BACKEND={backend!r}. Set KERAS_BACKEND=jax or torch."
        )
    cluster_module.connect(cluster)
    num_processes = worker_count + 1
    resources = _process_resources(chief_config, worker_config, worker_count)
    _check_placement(resources, num_processes)

    if job_id is not None and not re.match(r"^[A-Za-z0-9_.-]{1,128}$", job_id):
        raise ValueError(f"job_id is letters, digits, '.', '_' and '-'. Received: job_id={job_id!r}.")
    job_id = job_id or _new_job_id()
    root = os.path.abspath(os.path.expanduser(checkpoint_dir or DEFAULT_DIRECTORY))
    job_dir = os.path.join(root, job_id)
    os.makedirs(job_dir, exist_ok=True)
    runtime_env: dict[str, Any] = {"env_vars": {"KERAS_BACKEND": backend, **_preload_env()}}
    worker_script = script
    if script is not None and cluster is not None:
        # A cluster may have other machines: ship the script's folder.
        runtime_env["working_dir"] = os.path.dirname(script)
        runtime_env["excludes"] = _RUNTIME_ENV_EXCLUDES
        worker_script = os.path.basename(script)
    if requirements_txt is not None:
        runtime_env["pip"] = os.path.abspath(requirements_txt)
    config = {
        "function": function,
        "args": tuple(args),
        "kwargs": dict(kwargs or {}),
        "entry_point": worker_script,
        "entry_point_args": list(entry_point_args or []),
        "distribution_strategy": distribution_strategy,
        "checkpointing": distribution_strategy == "auto" and max_failures != 0,
        "log_dir": os.path.join(job_dir, "logs"),
        "stream_logs": stream_logs,
        "stream_all": False,
        "seed": seed,
        # Shared by the jobs under `root` (JAX; see `worker._use_compilation_cache`).
        "compilation_cache": os.path.join(root, ".jax-compilation-cache"),
    }
    write_job_record(
        job_dir, job_id=job_id, status="RUNNING", labels=labels, num_processes=num_processes,
        entry_point=script or getattr(function, "__qualname__", repr(function)),
        resources=resources, pid=os.getpid(),
        started=datetime.datetime.now(datetime.UTC).isoformat(),
    )
    trainer = _make_trainer(backend, config, resources, num_processes, root, job_id, max_failures, runtime_env)
    from kerasverse.cloud.job import Job

    job = Job(job_id, job_dir, labels)
    if not exit_after and _prestart_wanted(cluster):
        # The job's processes exit with it: have the next job's ready, with
        # Keras imported (see `warm_pool`).
        job._on_end = lambda worker_env: warm_pool.prestart_next_job(worker_env, num_processes)
    if not wait and not exit_after:
        thread = threading.Thread(target=job._run, args=(trainer,), daemon=True, name=job_id)
        job._thread = thread
        thread.start()
        return job
    try:
        job._run(trainer)
    except (KeyboardInterrupt, SystemExit):  # Ctrl-C (Ray Train's handler may exit).
        write_job_record(job_dir, status="CANCELLED")
        cluster_module.shutdown()
        raise
    result = job.wait()
    if exit_after:
        sys.exit(0)
    return result


def _make_trainer(backend, config, resources, num_processes, root, job_id, max_failures, runtime_env):
    from ray.train import FailureConfig
    from ray.train import RunConfig
    from ray.train import ScalingConfig

    from kerasverse.cloud.worker import train_loop

    scaling = ScalingConfig(
        num_workers=num_processes,
        use_gpu=resources.get("GPU", 0) > 0,
        resources_per_worker=resources,
    )
    run_config = RunConfig(
        name=job_id,
        storage_path=root,
        failure_config=FailureConfig(max_failures=max_failures),
        worker_runtime_env=runtime_env,
    )
    if backend == "torch":
        from ray.train.torch import TorchConfig
        from ray.train.torch import TorchTrainer

        return TorchTrainer(
            train_loop, train_loop_config=config, scaling_config=scaling, run_config=run_config,
            torch_config=TorchConfig(backend="nccl" if resources.get("GPU", 0) > 0 else "gloo"),
        )
    from ray.train.v2.api.data_parallel_trainer import DataParallelTrainer

    return DataParallelTrainer(
        train_loop, train_loop_config=config, scaling_config=scaling, run_config=run_config
    )

