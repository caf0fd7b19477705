"""The body every process of a `cloud.run` job executes (Ray Train's train loop).

`train_loop(config)` marks the process as remote (`cloud.remote()`), shares
the JAX coordinator address and the restore checkpoint from the chief,
installs the "auto" distribution, runs the function or the script, and
returns the chief's value and logs to Ray Train (which hands rank 0's return
value to the driver).
"""

from __future__ import annotations

import io
import os
import runpy
import socket
import sys
import threading
import time
from typing import Any

REMOTE_ENV_VAR = "KERASVERSE_CLOUD_REMOTE"
PRELOAD_HOOK = "kerasverse.cloud.worker.preload"
_preload_marks: dict[str, float] = {}


def _preload_imports() -> None:
    _preload_marks["preload_start"] = time.time()
    try:
        # Ray Train's worker actor class, which Ray imports to create the actor
        # in this process (half a second of imports, before Keras).
        import ray.train.v2._internal.execution.worker_group.worker  # noqa: F401
    except Exception:
        pass
    try:
        import keras  # noqa: F401  (imports the backend KERAS_BACKEND names)

        from kerasverse.cloud import auto_distribution  # noqa: F401

        if keras.backend.backend() == "torch":
            import torch.distributed  # noqa: F401
        elif keras.backend.backend() == "jax":
            import jax.experimental.multihost_utils  # noqa: F401
    except Exception:  # The train loop imports them again and reports errors.
        pass
    _preload_marks["preload_done"] = time.time()


def preload() -> None:
    """Ray's worker-process setup hook for the job's processes.

    Starts importing Keras, the backend and this package in a background
    thread as soon as Ray starts the process, so the imports (seconds of
    CPU) overlap Ray Train's own set-up of the worker (its actor, the
    process group, the controller's callbacks) instead of following it. It
    never raises: a failing setup hook would make Ray kill the process.
    """
    try:
        threading.Thread(target=_preload_imports, name="kerasverse-preload", daemon=True).start()
    except Exception:
        pass


class _Tee(io.TextIOBase):
    """Copies writes to a log file and, when streaming, to the original stream."""

    def __init__(self, original, file, stream: bool, lock: threading.Lock):
        self.original = original
        self.file = file
        self.stream = stream
        self.lock = lock

    def write(self, text: str) -> int:
        with self.lock:
            self.file.write(text)
            self.file.flush()
        if self.stream:
            self.original.write(text)
        return len(text)

    def flush(self) -> None:
        if self.stream:
            self.original.flush()

    def isatty(self) -> bool:
        return False


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("", 0))
        return sock.getsockname()[1]


def _match_torch_threads() -> None:
    """torch's intra-op threads = the CPUs Ray gave this process (`OMP_NUM_THREADS`).

    Ray sets `OMP_NUM_THREADS` when it assigns an actor to a process, but a
    prestarted process (`warm_pool`) imported torch before that, so torch
    sized its pool for the whole machine: two 1-CPU processes then ran two
    threads each on 2 cores, and a step took ~10x longer.
    """
    wanted = os.environ.get("OMP_NUM_THREADS", "")
    if not wanted.isdigit() or int(wanted) < 1:
        return
    import torch

    if torch.get_num_threads() != int(wanted):
        torch.set_num_threads(int(wanted))


def _use_compilation_cache(directory: str) -> None:
    """JAX's persistent compilation cache in `directory`, unless the user set one.

    Every process of every job compiles the same programs (the variables'
    initializers, the train step) for the same model: with the cache, a job
    that runs a script again loads them from disk instead of compiling.
    """
    import jax

    if jax.config.jax_compilation_cache_dir:
        return
    jax.config.update("jax_compilation_cache_dir", directory)
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.0)


def _run_script(path: str, argv: list[str]) -> None:
    old_argv, old_path = sys.argv, list(sys.path)
    sys.argv = [path, *argv]
    sys.path.insert(0, os.path.dirname(os.path.abspath(path)))
    try:
        runpy.run_path(path, run_name="__main__")
    except SystemExit as exit_:
        if exit_.code not in (None, 0):
            raise RuntimeError(f"The entry point {path} exited with status {exit_.code}.") from exit_
    finally:
        sys.argv, sys.path[:] = old_argv, old_path


def train_loop(config: dict[str, Any]) -> dict[str, Any]:
    """Ray Train's `train_loop_per_worker` for one process of the job."""
    timings = {"train_loop": time.time()}
    import ray.train
    from ray.train.collective import broadcast_from_rank_zero

    context = ray.train.get_context()
    rank, size = context.get_world_rank(), context.get_world_size()
    if "torch" in sys.modules:  # Imported by the preload hook before Ray set the CPUs.
        _match_torch_threads()
    os.environ[REMOTE_ENV_VAR] = "1"
    os.environ["KERASVERSE_CLOUD_PROCESS_INDEX"] = str(rank)
    os.environ["KERASVERSE_CLOUD_NUM_PROCESSES"] = str(size)

    log_dir = config["log_dir"]
    os.makedirs(log_dir, exist_ok=True)
    log_path = os.path.join(log_dir, f"worker_{rank}.log")
    lock = threading.Lock()
    log_file = open(log_path, "a", buffering=1)
    stream = config["stream_logs"] and (rank == 0 or config["stream_all"])
    old_out, old_err = sys.stdout, sys.stderr
    sys.stdout = _Tee(old_out, log_file, stream, lock)
    sys.stderr = _Tee(old_err, log_file, stream, lock)
    distribution = None
    try:
        coordinator = None
        if config["distribution_strategy"] == "auto":
            import keras

            timings["keras_imported"] = time.time()
            from kerasverse.cloud import fault_tolerance
            from kerasverse.cloud.auto_distribution import AutoDistribution

            if keras.backend.backend() == "jax" and size > 1:
                address = None
                if rank == 0:
                    address = f"{ray.util.get_node_ip_address()}:{_free_port()}"
                coordinator = broadcast_from_rank_zero(address)
            checkpointing = None
            if config["checkpointing"]:
                checkpointing = fault_tolerance.Checkpointing(fault_tolerance.load_restore_state())
                if checkpointing.restore_state is not None and rank == 0:
                    print(
                        "kerasverse.cloud: restarted; resuming fit call "
                        f"{checkpointing.restore_state['fit_index']} after epoch "
                        f"{checkpointing.restore_state['epoch'] + 1} (its last checkpoint)."
                    )
            if keras.backend.backend() == "jax" and config.get("compilation_cache"):
                _use_compilation_cache(config["compilation_cache"])
            distribution = AutoDistribution(size, rank, seed=config["seed"], checkpointing=checkpointing)
            distribution.initialize_backend(coordinator)
            distribution.install()
            timings["backend_ready"] = time.time()
        timings["user_code"] = time.time()
        if config["function"] is not None:
            value = config["function"](*config["args"], **config["kwargs"])
        else:
            _run_script(config["entry_point"], config["entry_point_args"])
            value = None
    finally:
        if distribution is not None:
            distribution.uninstall()
        sys.stdout, sys.stderr = old_out, old_err
        log_file.close()
    with open(log_path) as file:
        logs = file.read() if rank == 0 else ""
    timings.update(_preload_marks)
    try:
        import psutil

        timings["process_start"] = psutil.Process().create_time()
    except ImportError:
        pass
    try:  # The environment Ray gave this process, for `warm_pool.prestart`.
        runtime_env = ray.get_runtime_context().get_runtime_env_string() if rank == 0 else None
    except Exception:
        runtime_env = None
    return {
        "result": value if rank == 0 else None, "logs": logs, "num_processes": size,
        "timings": timings if rank == 0 else {}, "runtime_env": runtime_env,
    }
