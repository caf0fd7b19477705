"""The study survives SIGKILL at random points, and many processes share it."""

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
import uuid

import pytest

from kerasverse.tuner.engine.objective import Objective
from kerasverse.tuner.engine.trial import TrialStatus
from kerasverse.tuner.oracles import RandomSearchOracle
from kerasverse.tuner.storage.storage_test import POSTGRES_URL
from kerasverse.tuner.storage.storage_test import requires_postgres
from kerasverse.tuner.testing import FunctionTuner

SCRIPT = """
import sys
from kerasverse.tuner.engine.objective import Objective
from kerasverse.tuner.oracles import RandomSearchOracle
from kerasverse.tuner.testing import FunctionTuner
oracle = RandomSearchOracle(Objective("loss", "min"), max_trials=8, seed=1)
tuner = FunctionTuner(oracle, sleep=0.3, intermediate_steps=3, directory=sys.argv[1],
                      project_name="p", verbose=0)
tuner.search()
"""


def _count(directory, status):
    path = os.path.join(directory, "p", "study.db")
    if not os.path.exists(path):
        return 0
    try:
        with sqlite3.connect(path, timeout=5) as connection:
            return connection.execute(
                "SELECT COUNT(*) FROM kerasverse_trials WHERE status = ?", (status,)
            ).fetchone()[0]
    except sqlite3.Error:
        return 0


def _tuner(directory, **kwargs):
    oracle = RandomSearchOracle(Objective("loss", "min"), max_trials=8, seed=1)
    return FunctionTuner(oracle, directory=directory, project_name="p", verbose=0, **kwargs)


@pytest.mark.slow
def test_sigkill_loses_no_completed_trial(tmp_path):
    rng = random.Random(0)
    directory = str(tmp_path)
    completed_before = {}
    interrupted = 0
    for _ in range(3):
        process = subprocess.Popen([sys.executable, "-c", SCRIPT, directory])
        # Wait for one more completed trial and the next one to start, then
        # kill at a random point of that trial (it sleeps 0.3 s).
        deadline = time.time() + 120
        while _count(directory, "COMPLETED") <= len(completed_before) or not _count(directory, "RUNNING"):
            if process.poll() is not None or time.time() > deadline:
                break
            time.sleep(0.02)
        time.sleep(rng.uniform(0.0, 0.2))
        process.send_signal(signal.SIGKILL)
        process.wait()
        oracle = _tuner(directory).oracle
        completed = {
            t.trial_id: t.hyperparameters.values
            for t in oracle.trials.values() if t.status == TrialStatus.COMPLETED
        }
        interrupted += any(t.status == TrialStatus.RUNNING for t in oracle.trials.values())
        # Nothing completed before is lost or changed.
        assert all(completed.get(k) == v for k, v in completed_before.items())
        completed_before = completed
    assert interrupted >= 1, "no kill landed mid-trial: the test proved nothing"
    tuner = _tuner(directory)
    tuner.search()
    trials = tuner.oracle.trials
    assert sorted(trials, key=int) == [str(i) for i in range(8)]
    assert all(t.status == TrialStatus.COMPLETED for t in trials.values())
    assert all(trials[k].hyperparameters.values == v for k, v in completed_before.items())


@requires_postgres
@pytest.mark.slow
def test_workers_share_a_postgres_study(tmp_path):
    name = f"p-{uuid.uuid4().hex}"
    oracle = RandomSearchOracle(Objective("loss", "min"), max_trials=6, seed=1)
    tuner = FunctionTuner(
        oracle, sleep=0.1, directory=str(tmp_path), project_name=name,
        storage=POSTGRES_URL, verbose=0,
    )
    tuner.search(workers=2)
    trials = tuner.oracle.trials
    assert sorted(trials, key=int) == [str(i) for i in range(6)]
    assert all(t.status == TrialStatus.COMPLETED for t in trials.values())
    assert not os.path.exists(os.path.join(tmp_path, name, "study.db"))
