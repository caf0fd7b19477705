"""Repository-wide pytest setup: the `slow` marker and a clean Keras state."""

import os

import pytest

# Tests are backend-agnostic: `make test` runs the suite once per backend.
os.environ.setdefault("KERAS_BACKEND", "jax")

# Under pytest-xdist each core runs its own worker, and idle OpenMP threads
# (PyTorch's intra-op pool) sleep instead of spinning: two workers with two
# spinning threads each made torch steps 10x slower on a loaded 2-core
# machine. Two threads per worker, not one: with OMP_NUM_THREADS=1, torch
# 2.13's backward aborted (SIGABRT) in the cv model tests on this machine
# (2026-12-06; `pytest -n 1` on resnet_backbone_test.py alone). Set before
# anything imports torch; subprocesses the tests start (Ray workers, servers)
# inherit it.
if os.environ.get("PYTEST_XDIST_WORKER"):
    os.environ.setdefault("OMP_NUM_THREADS", "2")
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

# JAX's persistent compilation cache, in this checkout's .pytest_cache (a fresh
# clone starts with it empty). Keras makes a new jitted step for every model it
# builds, so JAX recompiles the same program for each trial, refit and reload of
# an architecture; the cache is keyed by the program, so those become reads.
# `make test`'s JAX run spent most of its automl time compiling (the guides
# test: 155-157 s without the cache, 78-99 s with it starting empty). The size limit
# is what turns on JAX's file lock, which the two xdist workers and the
# subprocesses the tests start (they inherit these variables) need to share it.
_JAX_CACHE = os.path.join(os.path.dirname(os.path.abspath(__file__)), ".pytest_cache", "jax-compilation-cache")
os.environ.setdefault("JAX_COMPILATION_CACHE_DIR", _JAX_CACHE)
os.environ.setdefault("JAX_COMPILATION_CACHE_MAX_SIZE", str(4 << 30))
os.environ.setdefault("JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS", "0.2")
os.environ.setdefault("JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES", "0")


def pytest_addoption(parser):
    parser.addoption(
        "--skip-slow",
        action="store_true",
        default=False,
        help="Skip tests marked `slow` (CI runs them; `make test-fast` skips them).",
    )


# Host-side tests (stores, servers' HTTP layer, data steps) exercise no model
# code, so running them once is enough: they run under this backend only.
HOST_TEST_BACKEND = "jax"


def pytest_collection_modifyitems(config, items):
    skip_slow = pytest.mark.skip(reason="slow test skipped by --skip-slow")
    skip_host = pytest.mark.skip(
        reason=f"host-side test: runs once, under KERAS_BACKEND={HOST_TEST_BACKEND}"
    )
    backend = os.environ.get("KERAS_BACKEND")
    for item in items:
        if "slow" in item.keywords and config.getoption("--skip-slow"):
            item.add_marker(skip_slow)
        if "host" in item.keywords and backend != HOST_TEST_BACKEND:
            item.add_marker(skip_host)


def pytest_report_header(config):
    return f"KERAS_BACKEND={os.environ.get('KERAS_BACKEND')}"
