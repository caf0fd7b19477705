"""`search(workers=N, executor="ray")` on a real local Ray (Keras-free trials)."""

import os
import uuid

import pytest

from kerasverse.tuner import errors
from kerasverse.tuner.engine.objective import Objective
from kerasverse.tuner.engine.trial import TrialStatus
from kerasverse.tuner.oracles import RandomSearchOracle
from kerasverse.tuner.storage.storage_test import POSTGRES_URL
from kerasverse.tuner.storage.storage_test import requires_postgres
from kerasverse.tuner.testing import FunctionTuner
from kerasverse.tuner.testing import quadratic


def _with_pid(hp):
    return {"loss": quadratic(hp), "pid": float(os.getpid())}


def _fatal(hp):
    hp.Float("x", -1, 1)
    raise errors.FatalValueError("stop everything")


def _tuner(tmp_path, function=_with_pid, max_trials=9, **kwargs):
    oracle = RandomSearchOracle(Objective("loss", "min"), max_trials=max_trials, seed=1)
    return FunctionTuner(
        oracle, function=function, directory=str(tmp_path), project_name="p", verbose=0, **kwargs
    )


@pytest.mark.slow
def test_ray_workers_share_one_study(tmp_path):
    ray = pytest.importorskip("ray")
    assert not ray.is_initialized()
    tuner = _tuner(tmp_path, sleep=0.3)
    # No Ray running and no address: the search starts a local Ray, runs
    # three tasks on it and shuts it down.
    tuner.search(workers=3, executor="ray")
    assert not ray.is_initialized()
    trials = tuner.oracle.trials
    # No trial id issued twice, none lost, max_trials respected.
    assert sorted(trials, key=int) == [str(i) for i in range(9)]
    assert all(t.status == TrialStatus.COMPLETED for t in trials.values())
    assert len({tuple(sorted(t.hyperparameters.values.items())) for t in trials.values()}) == 9
    pids = {t.metrics.get_last_value("pid") for t in trials.values()}
    assert os.getpid() not in pids
    assert len(pids) >= 2, f"the trials ran in one Ray worker only: {pids}"
    # The study is complete: another Ray search has nothing left to run.
    assert tuner.remaining_trials == 0


@pytest.fixture(scope="module")
def running_ray():
    """A Ray the user started: searches use it and leave it running."""
    ray = pytest.importorskip("ray")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield ray
    ray.shutdown()


@pytest.mark.slow
def test_ray_worker_error_is_raised(tmp_path, running_ray):
    tuner = _tuner(tmp_path, function=_fatal, max_trials=3)
    with pytest.raises(RuntimeError, match="of 2 Ray search workers failed"):
        tuner.search(workers=2, executor="ray")
    assert running_ray.is_initialized()


def test_sqlite_study_cannot_go_to_a_remote_cluster(tmp_path):
    tuner = _tuner(tmp_path)
    with pytest.raises(ValueError, match="Ray workers on a remote cluster cannot share it"):
        tuner.search(workers=2, executor="ray", ray_address="ray://head:10001")


def test_in_memory_study_cannot_go_to_ray(tmp_path):
    tuner = _tuner(tmp_path, storage=":memory:")
    with pytest.raises(ValueError, match="needs a study storage that the Ray workers can share"):
        tuner.search(workers=2, executor="ray")


def test_unknown_executor_raises(tmp_path):
    tuner = _tuner(tmp_path)
    with pytest.raises(ValueError, match="Received: executor='dask'"):
        tuner.search(workers=2, executor="dask")
    with pytest.raises(ValueError, match="only used with `executor='ray'`"):
        tuner.search(workers=2, ray_address="auto")


def test_kerastuner_variables_warn_with_the_migration(tmp_path, monkeypatch):
    monkeypatch.setenv("KERASTUNER_TUNER_ID", "chief")
    monkeypatch.setenv("KERASTUNER_ORACLE_IP", "10.0.0.1")
    tuner = _tuner(tmp_path, max_trials=1)
    with pytest.warns(UserWarning, match="does not read the KERASTUNER_ORACLE_\\* variables") as record:
        tuner.search()
    message = str(record[0].message)
    assert "KERASTUNER_ORACLE_IP='10.0.0.1'" in message and "tuner_id=" in message
    assert len(tuner.oracle.trials) == 1
    # KERASTUNER_TUNER_ID is keras_tuner's name of the tuner: it is read.
    assert tuner.tuner_id == "chief"
    assert _tuner(tmp_path, max_trials=1, tuner_id="explicit").tuner_id == "explicit"


@requires_postgres
@pytest.mark.slow
def test_ray_workers_share_a_postgres_study(tmp_path, running_ray):
    # The multi-machine setup: the study lives in PostgreSQL, which every
    # node of a Ray cluster can reach (here a local Ray stands in for it).
    name = f"p-{uuid.uuid4().hex}"
    oracle = RandomSearchOracle(Objective("loss", "min"), max_trials=6, seed=1)
    tuner = FunctionTuner(
        oracle, function=_with_pid, sleep=0.2, directory=str(tmp_path), project_name=name,
        storage=POSTGRES_URL, verbose=0,
    )
    tuner.search(workers=2, executor="ray")
    trials = tuner.oracle.trials
    assert sorted(trials, key=int) == [str(i) for i in range(6)]
    assert all(t.status == TrialStatus.COMPLETED for t in trials.values())
    assert not os.path.exists(os.path.join(tmp_path, name, "study.db"))
