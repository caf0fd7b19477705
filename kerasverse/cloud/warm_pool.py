"""Warm worker processes for the next `cloud.run` job on the same Ray.

Ray Train starts every job's processes as new actors, and Ray gives an actor
a process of its own that exits with it: each job pays a Python start and,
above all, importing Keras and its backend (seconds of CPU per process). Ray's
raylet can *prestart* worker processes for a runtime environment and keep them
idle for a while (the `PrestartWorkers` call Ray Data uses for its actor
pools); an actor created later with the same runtime environment takes one of
them instead of starting a process.

After a job ends, `cloud.run` asks the raylet of the driver's node for as many
processes as the job had, with the runtime environment the job's processes
reported (Ray Train's variables included, so the raylet matches them), kept for
`KEEP_ALIVE_S`. Each runs the preload hook (`worker.preload`) at start, so
Keras and the backend are imported before the next job asks for them; the
next job's actors start in ~0.1 s instead of several seconds. It also asks
for five processes for the next run's Ray Train controller and the
controller's helper actors (`train_helper_environments`).

This is an optimization only: it uses Ray internals (the raylet's gRPC
service), and anything that fails here is ignored — the job then starts its
processes as Ray does by default. Prestarted processes belong to the driver's
Ray job and die with it (or after `KEEP_ALIVE_S` idle).
"""

from __future__ import annotations

import functools
import json
import logging
import threading
import time

logger = logging.getLogger(__name__)

# How long idle prestarted processes wait for the next job (seconds).
KEEP_ALIVE_S = 600


def train_helper_environments() -> list[tuple[str, int]]:
    """The runtime environments of Ray Train's own per-run actors, serialized.

    Every run starts a controller (created by the driver with Ray Train's
    environment variables) and, from the controller, a placement-group
    cleaner, a synchronization actor, a dataset manager and a preemption
    watcher, which get the controller's environment. Returns `(serialized environment, processes)`
    pairs; empty when this Ray Train has no such constants.
    """
    try:
        from ray.runtime_env import RuntimeEnv
        from ray.train.v2._internal import constants

        env_vars = constants.get_env_vars_to_propagate()
        env_vars.setdefault(
            constants.RAY_WARN_BLOCKING_GET_INSIDE_ASYNC_ENV_VAR,
            constants.DEFAULT_RAY_WARN_BLOCKING_GET_INSIDE_ASYNC_VALUE,
        )
    except Exception:
        return []
    return [(RuntimeEnv(env_vars=env_vars).serialize(), 5)]


def prestart(runtime_env: str, num_workers: int, keep_alive_s: int = KEEP_ALIVE_S,
             target: tuple[str, str] | None = None) -> bool:
    """Asks the local raylet for `num_workers` idle processes with `runtime_env`.

    Args:
        runtime_env: The runtime environment of the job's worker processes,
            serialized as Ray gave it to them
            (`ray.get_runtime_context().get_runtime_env_string()` inside the
            job). The raylet matches a process to an actor by a hash of that
            exact string: Ray Train adds variables of its own to the
            environment `cloud.run` passes, and Ray re-serializes it when it
            merges it with the controller's.
        num_workers: How many processes.
        keep_alive_s: How long they wait idle.
        target: `(raylet address, job id hex)`, from `local_target()`;
            looked up when not given.

    Only environments made of `env_vars` are prestarted (a `working_dir` or
    `pip` environment is set up per job). Returns whether the raylet took
    the request; never raises.
    """
    try:
        environment = json.loads(runtime_env)
        if num_workers <= 0 or set(environment) - {"env_vars"}:
            return False
        from ray._private.grpc_utils import init_grpc_channel
        from ray._private.utils import get_runtime_env_info
        from ray.core.generated import common_pb2
        from ray.core.generated import node_manager_pb2
        from ray.core.generated import node_manager_pb2_grpc
        from ray.runtime_env import RuntimeEnv

        if target is None:
            target = local_target()
            if target is None:
                return False
        address, job_id = target
        info = get_runtime_env_info(RuntimeEnv(**environment), serialize=False)
        info.serialized_runtime_env = runtime_env
        request = node_manager_pb2.PrestartWorkersRequest(
            language=common_pb2.Language.PYTHON,
            job_id=bytes.fromhex(job_id),
            runtime_env_info=info,
            keep_alive_duration_secs=int(keep_alive_s),
            num_workers=int(num_workers),
        )
        channel = init_grpc_channel(address)
        try:
            node_manager_pb2_grpc.NodeManagerServiceStub(channel).PrestartWorkers(request, timeout=10)
        finally:
            channel.close()
        return True
    except Exception as error:  # Another Ray version, a remote client, ...: start cold.
        logger.debug("kerasverse.cloud: could not prestart worker processes (%s).", error)
        return False


def local_target() -> tuple[str, str] | None:
    """`(raylet address, job id)` of this driver, or None when Ray is not initialized.

    Never initializes Ray: after `ray.shutdown()`, most of Ray's API (the
    runtime context included) would start a new local Ray instead.
    """
    import ray

    if not ray.is_initialized():
        return None
    context = ray.get_runtime_context()
    return _raylet_address(context.get_node_id()), context.get_job_id()


@functools.lru_cache(maxsize=8)
def _raylet_address(node_id: str) -> str:
    """`host:port` of the raylet of node `node_id` (fixed for the node's life)."""
    import ray

    node = next(n for n in ray.nodes() if n.get("NodeID") == node_id and n.get("Alive"))
    return f"{node['NodeManagerAddress']}:{node['NodeManagerPort']}"


def prestart_next_job(worker_runtime_env: str, num_processes: int) -> bool:
    """After a job: processes for the next one's workers, then for Ray Train's own actors.

    The raylet starts a bounded number of processes at a time (by default as
    many as the node has CPUs) and drops prestart requests beyond that, so the
    workers' are asked for first and Ray Train's, two at a time, from a
    background thread a little later.
    """
    try:
        target = local_target()
    except Exception as error:
        logger.debug("kerasverse.cloud: no raylet to prestart on (%s).", error)
        return False
    if target is None:  # Ray was shut down before the job's end was seen.
        return False
    started = prestart(worker_runtime_env, num_processes, target=target)
    helpers = train_helper_environments() if started else []
    if helpers:
        threading.Thread(target=_prestart_in_steps, args=(helpers, target), daemon=True,
                         name="kerasverse-cloud-prestart").start()
    return started


def _prestart_in_steps(environments: list[tuple[str, int]], target: tuple[str, str],
                       step: int = 2, pause_s: float = 2.0) -> None:
    """Prestarts `environments` a few processes at a time, on the raylet and job of `target`.

    Runs in a background thread: stops as soon as Ray is shut down, and asks
    Ray nothing that would start a new one (only `ray.is_initialized`).
    """
    import ray

    for environment, count in environments:
        while count > 0:
            time.sleep(pause_s)
            if not ray.is_initialized():
                return
            prestart(environment, min(step, count), target=target)
            count -= step
