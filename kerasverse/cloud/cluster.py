"""Connecting to Ray for `cloud.run`: a local Ray started on demand, or a cluster.

A local Ray started here stays up for the rest of the Python process (so a
second job starts warm) and is shut down at exit, on SIGTERM and on Ctrl-C,
so no Ray processes outlive the program.
"""

from __future__ import annotations

import atexit
import math
import signal
import socket
from typing import Any

_started_here = False
_previous_sigterm: Any = None


def import_ray():
    try:
        import ray
        import ray.train  # noqa: F401
    except ImportError as error:
        raise ImportError(
            "`kerasverse.cloud` needs Ray Train. Install it with `pip install kerasverse[ray]` "
            "(or `pip install 'ray[train]==2.60.0'`)."
        ) from error
    return ray


def shutdown() -> None:
    """Stops the local Ray that `cloud.run` started (no-op otherwise)."""
    global _started_here
    if _started_here:
        import ray

        ray.shutdown()
        _started_here = False


def _on_sigterm(signum, frame):
    shutdown()
    if callable(_previous_sigterm):
        _previous_sigterm(signum, frame)
    raise SystemExit(128 + signum)


def _check_reachable(address: str) -> None:
    target = address[len("ray://"):] if address.startswith("ray://") else address
    host, _, port = target.rpartition(":")
    if not host or not port.isdigit():
        raise ValueError(
            "A Ray cluster address is 'auto', 'host:port' (the GCS port, 6379 by default) or "
            f"'ray://host:10001' (Ray Client). Received: cluster={address!r}."
        )
    try:
        with socket.create_connection((host, int(port)), timeout=5):
            pass
    except OSError as error:
        raise ConnectionError(
            f"Cannot reach the Ray cluster at {address!r} ({error}). Start it with `ray start "
            "--head` (or KubeRay), check the host and port, or pass cluster=None for a local "
            "Ray."
        ) from error


def connect(cluster: str | None, num_cpus: int | None = None) -> bool:
    """Makes sure this process is connected to Ray; returns whether it started Ray.

    Args:
        cluster: None (the Ray this process already uses, or a new local one),
            `"auto"` (the cluster `ray start` runs on this machine), or an
            address (`"host:6379"`, `"ray://host:10001"`).
        num_cpus: CPUs of a new local Ray (None: all of this machine's).
    """
    global _started_here, _previous_sigterm
    ray = import_ray()
    if cluster is not None and cluster != "auto":
        _check_reachable(cluster)
    if ray.is_initialized():
        if cluster not in (None, "auto"):
            current = ray.get_runtime_context().gcs_address
            if cluster.split("://")[-1] != current:
                raise ValueError(
                    f"This process is already connected to the Ray cluster at {current!r}; "
                    f"call `ray.shutdown()` first to use another. Received: cluster={cluster!r}."
                )
        return False
    if cluster is None:
        ray.init(num_cpus=num_cpus, include_dashboard=False, log_to_driver=True)
    else:
        try:
            ray.init(address=cluster, log_to_driver=True)
        except ConnectionError as error:
            raise ConnectionError(
                f"Cannot connect to the Ray cluster {cluster!r}: {error}. With 'auto', start one "
                "first with `ray start --head`; or pass cluster=None for a local Ray."
            ) from error
    _started_here = True
    atexit.register(shutdown)
    try:
        _previous_sigterm = signal.signal(signal.SIGTERM, _on_sigterm)
    except ValueError:  # Not the main thread: atexit still shuts Ray down.
        pass
    return True


def placeable_processes(resources: dict[str, float]) -> tuple[int, list[dict]]:
    """How many processes needing `resources` the cluster's alive nodes can hold."""
    import ray

    total, nodes = 0, []
    for node in ray.nodes():
        if not node.get("Alive", node.get("alive", False)):
            continue
        available = node.get("Resources", {})
        nodes.append(available)
        fits = min(
            (math.floor(available.get(name, 0.0) / amount + 1e-9) for name, amount in resources.items() if amount > 0),
            default=0,
        )
        total += fits
    return total, nodes


def cluster_has_gpus() -> bool:
    import ray

    return ray.cluster_resources().get("GPU", 0) > 0
