"""`search(..., workers=N, executor="ray")`: N trials at a time as Ray tasks.

Each task holds a copy of the tuner with its own `tuner_id` (`tuner0`,
`tuner0_1`, ...) and runs the ordinary search loop; the tasks share the
study through its storage, whose transactions keep trial ids unique and
`max_trials` respected, exactly as the local worker processes do. Ray is
started locally when no cluster address is given and none is running.
"""

import os

from kerasverse.tuner.engine import display as display_module
from kerasverse.tuner.engine.workers import update_progress
from kerasverse.tuner.storage import InMemoryStorage
from kerasverse.tuner.storage import SQLStorage


def _import_ray():
    try:
        import ray
    except ImportError as error:
        raise ImportError(
            "`search(executor='ray')` needs Ray. Install it with "
            "`pip install kerasverse[ray]` (or `pip install ray`)."
        ) from error
    return ray


def _run_search(tuner, tuner_id, driver_dir, fit_args, fit_kwargs):
    """The body of one Ray task: the search loop of one tuner."""
    # Trial directories are relative to the driver's working directory when
    # `directory` is relative; use it where it exists (same machine).
    if driver_dir and os.path.isdir(driver_dir):
        os.chdir(driver_dir)
    tuner.tuner_id = tuner_id
    tuner.verbose = 0
    tuner.oracle.reload()
    tuner.search(*fit_args, **fit_kwargs)
    return tuner_id


def _is_remote_address(address):
    return isinstance(address, str) and address.startswith("ray://")


def _check_storage(storage, address):
    if storage is None or isinstance(storage, InMemoryStorage):
        raise ValueError(
            "`search(workers=N, executor='ray')` needs a study storage that the Ray "
            "workers can share: the default SQLite file (local Ray only) or a database "
            "URL such as 'postgresql+psycopg://user@host/db'. Received: storage=':memory:'."
        )
    if isinstance(storage, SQLStorage) and storage.is_sqlite and _is_remote_address(address):
        raise ValueError(
            "An SQLite study lives in a file on this machine, so Ray workers on a remote "
            "cluster cannot share it. Pass `storage=` a database URL that every node can "
            "reach (for example 'postgresql+psycopg://user@host/db'), or use a local Ray "
            f"(ray_address=None). Received: ray_address={address!r} with storage "
            f"{storage.url!r}."
        )


def _alive_nodes(ray):
    return [node for node in ray.nodes() if node.get("Alive", node.get("alive", False))]


def run_ray_workers(tuner, workers, fit_args, fit_kwargs, address=None):
    """Runs the search of `tuner` as `workers` Ray tasks; returns when all end.

    Args:
        tuner: The tuner (sent to each task; it must be serializable by Ray).
        workers: The number of tasks (trials running at once).
        fit_args, fit_kwargs: The `search` arguments (put once in Ray's object
            store and shared by the tasks).
        address: None (use the running Ray, or start one on this machine),
            `"auto"` (connect to the cluster started with `ray start`) or
            `"ray://host:10001"` (Ray Client).

    Raises:
        ValueError: the storage cannot be shared by the workers.
        ImportError: Ray is not installed.
        RuntimeError: a task failed (its error is chained).
    """
    storage = tuner.oracle._storage
    _check_storage(storage, address)
    ray = _import_ray()
    started_here = False
    if not ray.is_initialized():
        init_kwargs = {"address": address, "include_dashboard": False, "log_to_driver": False}
        if address is None:
            # A fresh local Ray: one CPU slot per worker, so that all N run at once.
            init_kwargs["num_cpus"] = workers
        ray.init(**init_kwargs)
        started_here = True
    try:
        if isinstance(storage, SQLStorage) and storage.is_sqlite and len(_alive_nodes(ray)) > 1:
            raise ValueError(
                "This Ray cluster has several nodes, and an SQLite study lives in a file on "
                "one machine: pass `storage=` a database URL that every node can reach (for "
                f"example 'postgresql+psycopg://user@host/db'). Received: storage {storage.url!r}."
            )
        env_vars = {"KERAS_BACKEND": os.environ.get("KERAS_BACKEND", "")}
        env_vars = {k: v for k, v in env_vars.items() if v}
        task = ray.remote(num_cpus=1, max_retries=0)(_run_search).options(
            runtime_env={"env_vars": env_vars} if env_vars else None
        )
        # Top-level object refs are resolved by Ray before the task runs.
        args_ref, kwargs_ref = ray.put(fit_args), ray.put(fit_kwargs)
        base = tuner.tuner_id
        driver_dir = os.getcwd()
        refs = [
            task.remote(tuner, base if i == 0 else f"{base}_{i}", driver_dir, args_ref, kwargs_ref)
            for i in range(workers)
        ]
        _wait_with_progress(ray, tuner, refs)
        errors = []
        for ref in refs:
            try:
                ray.get(ref)
            except Exception as error:  # A task's exception, re-raised by Ray.
                errors.append(error)
        if errors:
            raise RuntimeError(
                f"{len(errors)} of {workers} Ray search workers failed. First error: {errors[0]}"
            ) from errors[0]
    finally:
        if started_here:
            ray.shutdown()


def _wait_with_progress(ray, tuner, refs):
    progress = display_module.ProgressBar(tuner.oracle.max_trials, verbose=tuner.verbose)
    pending = list(refs)
    done = -1
    try:
        while pending:
            _, pending = ray.wait(pending, num_returns=len(pending), timeout=0.5)
            done = update_progress(tuner, progress, done)
    finally:
        progress.close()
