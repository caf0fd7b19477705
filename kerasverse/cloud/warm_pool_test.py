"""Tests for `warm_pool`: it must never start a Ray of its own."""

import json

import pytest

from kerasverse.cloud import warm_pool

ray = pytest.importorskip("ray")

pytestmark = pytest.mark.host


@pytest.fixture
def no_ray():
    if ray.is_initialized():
        ray.shutdown()
    yield
    if ray.is_initialized():  # The test failed: leave no Ray behind for the next one.
        ray.shutdown()


def test_after_shutdown_nothing_is_prestarted_and_no_ray_is_started(no_ray):
    # A job's end can be seen after `ray.shutdown()` (a job run with wait=False):
    # asking Ray for its runtime context then would start a new local Ray.
    environment = json.dumps({"env_vars": {"A": "1"}})
    assert warm_pool.local_target() is None
    assert warm_pool.prestart_next_job(environment, 2) is False
    assert warm_pool.prestart(environment, 2) is False
    assert not ray.is_initialized()


def test_the_background_steps_stop_once_ray_is_shut_down(no_ray, monkeypatch):
    requests = []
    monkeypatch.setattr(warm_pool, "prestart", lambda *args, **kwargs: requests.append(args))
    environment = json.dumps({"env_vars": {"A": "1"}})
    warm_pool._prestart_in_steps([(environment, 5)], ("127.0.0.1:1", "01000000"), pause_s=0)
    assert requests == []
    assert not ray.is_initialized()


def test_environments_other_than_env_vars_are_not_prestarted(no_ray, monkeypatch):
    import ray._private.grpc_utils

    channels = []
    monkeypatch.setattr(ray._private.grpc_utils, "init_grpc_channel", lambda *args, **kwargs: channels.append(args))
    target = ("127.0.0.1:1", "01000000")
    assert warm_pool.prestart(json.dumps({"working_dir": "/tmp", "env_vars": {"A": "1"}}), 2, target=target) is False
    assert warm_pool.prestart(json.dumps({"env_vars": {}}), 0, target=target) is False
    assert channels == []  # Refused before any request was made.
    # An env_vars environment does reach the raylet (here a fake channel, so the call fails: False).
    assert warm_pool.prestart(json.dumps({"env_vars": {"A": "1"}}), 2, target=target) is False
    assert channels == [("127.0.0.1:1",)]
