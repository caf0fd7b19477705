"""Repository-wide pytest setup: the `slow` marker and a clean Keras state."""

import os

import pytest

# Tests are backend-agnostic: `make test` runs the suite once per backend.
os.environ.setdefault("KERAS_BACKEND", "jax")


def pytest_addoption(parser):
    parser.addoption(
        "--skip-slow",
        action="store_true",
        default=False,
        help="Skip tests marked `slow` (CI runs them; `make test-fast` skips them).",
    )


def pytest_collection_modifyitems(config, items):
    if not config.getoption("--skip-slow"):
        return
    skip = pytest.mark.skip(reason="slow test skipped by --skip-slow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


def pytest_report_header(config):
    return f"KERAS_BACKEND={os.environ.get('KERAS_BACKEND')}"
