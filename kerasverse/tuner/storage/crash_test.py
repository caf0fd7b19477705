"""The study survives SIGKILL at random points, and many processes share it."""

import collections
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
from kerasverse.tuner.storage import SQLStorage
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


# Independent processes, each running the same script's `search()` on one
# study (what a user does to scale a search; issue: they crashed each other).
SHARED_SCRIPT = """
import os, sys, time
from kerasverse.tuner.engine.base_tuner import BaseTuner
from kerasverse.tuner.engine.objective import Objective
from kerasverse.tuner.oracles import RandomSearchOracle

directory, storage, project, max_trials, sleep = sys.argv[1:6]
log = os.path.join(directory, "runs.log")


def note(event, trial_id):
    with open(log, "a") as f:
        f.write(f"{event} {trial_id} {os.getpid()} {time.time()}\\n")


class Logged(BaseTuner):
    def run_trial(self, trial):
        x = trial.hyperparameters.Float("x", -5.0, 10.0)
        note("start", trial.trial_id)
        time.sleep(float(sleep))
        note("end", trial.trial_id)
        return (x - 2.0) ** 2


oracle = RandomSearchOracle(Objective("score", "min"), max_trials=int(max_trials), seed=1)
tuner = Logged(oracle, directory=directory, project_name=project,
               storage=None if storage == "-" else storage, heartbeat_timeout=1.5)
open(os.path.join(directory, f"ready_{os.getpid()}"), "w").close()
while not os.path.exists(os.path.join(directory, "go")):
    time.sleep(0.02)
tuner.search()
"""


def _start_processes(directory, storage, project, count, max_trials, sleep):
    env = {**os.environ, "KERAS_BACKEND": os.environ.get("KERAS_BACKEND", "jax")}
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(__file__))))
    env["PYTHONPATH"] = os.pathsep.join([root, env.get("PYTHONPATH", "")])
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", SHARED_SCRIPT, directory, storage, project, str(max_trials),
             str(sleep)],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        for _ in range(count)
    ]
    # All ready (imports done, tuner made) before any searches: they overlap.
    deadline = time.time() + 180
    while sum(name.startswith("ready_") for name in os.listdir(directory)) < count:
        assert time.time() < deadline and all(p.poll() is None for p in processes), [
            p.communicate()[1][-2000:] for p in processes if p.poll() is not None
        ]
        time.sleep(0.05)
    open(os.path.join(directory, "go"), "w").close()
    return processes


def _runs(directory):
    with open(os.path.join(directory, "runs.log")) as f:
        return [(e, t, int(p), float(s)) for e, t, p, s in (line.split() for line in f)]


def _study(directory, storage, project):
    oracle = RandomSearchOracle(Objective("score", "min"))
    oracle._set_project_dir(directory, project, storage=None if storage == "-" else storage)
    return oracle.trials


def _wait_all(processes, timeout=180):
    outputs = []
    for process in processes:
        _, stderr = process.communicate(timeout=timeout)
        outputs.append((process.returncode, stderr))
    return outputs


@pytest.mark.host
@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=requires_postgres)])
def test_independent_processes_share_one_study(tmp_path, backend):
    directory = str(tmp_path)
    storage = "-" if backend == "sqlite" else POSTGRES_URL
    project = f"p-{uuid.uuid4().hex}"
    processes = _start_processes(directory, storage, project, count=4, max_trials=12, sleep=0.25)
    outputs = _wait_all(processes)
    assert [code for code, _ in outputs] == [0] * 4, [err[-3000:] for _, err in outputs]
    trials = _study(directory, storage, project)
    # No id issued twice, none lost, max_trials respected, all COMPLETED.
    assert sorted(trials) == [f"{i:02d}" for i in range(12)]
    assert all(t.status == TrialStatus.COMPLETED and t.message is None for t in trials.values())
    runs = _runs(directory)
    started = [t for e, t, _, _ in runs if e == "start"]
    assert sorted(started) == [f"{i:02d}" for i in range(12)]  # None run twice.
    assert len({p for _, _, p, _ in runs}) >= 2, "the processes did not overlap"
    # Each process's progress bar counts the study's trials, not its own.
    for _, stderr in outputs:
        assert stderr.strip().splitlines()[-1].split("] ")[1].startswith("12/12 trials"), stderr


def _running(directory, exclude_pids, exclude_trials):
    """A (pid, trial_id) whose trial started and has not ended."""
    deadline = time.time() + 60
    while time.time() < deadline:
        if os.path.exists(os.path.join(directory, "runs.log")):
            runs = _runs(directory)
            ended = {(t, p) for e, t, p, _ in runs if e == "end"}
            for event, trial_id, pid, _ in runs:
                if (
                    event == "start" and (trial_id, pid) not in ended
                    and pid not in exclude_pids and trial_id not in exclude_trials
                ):
                    return pid, trial_id
        time.sleep(0.01)
    raise AssertionError("no trial running")


@pytest.mark.host
def test_killed_and_hung_processes_trials_are_run_again(tmp_path):
    directory, project = str(tmp_path), "p"
    processes = _start_processes(directory, "-", project, count=4, max_trials=10, sleep=1.0)
    by_pid = {p.pid: p for p in processes}
    # SIGKILL one process mid-trial: on this machine its death is seen at once.
    killed_pid, killed_trial = _running(directory, (), ())
    by_pid[killed_pid].send_signal(signal.SIGKILL)
    by_pid[killed_pid].wait()
    # SIGSTOP another mid-trial (alive, but silent): its trial is run again
    # once its last heartbeat is 1.5 s old; then it resumes, finds the trial
    # taken, and keeps the other run's result.
    storage = SQLStorage(f"sqlite:///{os.path.join(directory, project, 'study.db')}")
    storage.open_study(project)

    def heartbeat(trial_id):
        with storage.transaction(write=False) as txn:
            return {c["trial_id"]: c["heartbeat"] for c in txn.trials_since(0)}.get(trial_id)

    while True:
        # Stop right after a heartbeat is written, so that the stopped process
        # holds no database lock (the next one is 0.375 s away).
        hung_pid, hung_trial = _running(directory, (killed_pid,), (killed_trial,))
        first, deadline = heartbeat(hung_trial), time.time() + 0.8
        while heartbeat(hung_trial) == first and time.time() < deadline:
            time.sleep(0.005)
        if heartbeat(hung_trial) != first:
            by_pid[hung_pid].send_signal(signal.SIGSTOP)
            stopped_at = time.time()
            break
    deadline = time.time() + 60
    while not any(e == "start" and t == hung_trial and p != hung_pid for e, t, p, _ in _runs(directory)):
        assert time.time() < deadline, "the hung process's trial was never taken over"
        time.sleep(0.05)
    by_pid[hung_pid].send_signal(signal.SIGCONT)
    outputs = _wait_all([p for p in processes if p.pid != killed_pid])
    assert [code for code, _ in outputs] == [0] * 3, [err[-3000:] for _, err in outputs]
    trials = _study(directory, "-", project)
    assert sorted(trials) == [f"{i:02d}" for i in range(10)]
    assert all(t.status == TrialStatus.COMPLETED for t in trials.values())
    runs = _runs(directory)
    starts = collections.Counter(t for e, t, _, _ in runs if e == "start")
    # Only the two victims' trials ran twice, each finally by another process.
    assert {t for t, n in starts.items() if n > 1} == {killed_trial, hung_trial}
    assert all(n <= 2 for n in starts.values())
    assert any(e == "end" and t == killed_trial and p != killed_pid for e, t, p, _ in runs)
    rerun_at = [s for e, t, p, s in runs if e == "start" and t == hung_trial and p != hung_pid]
    assert rerun_at[0] - stopped_at > 1.0  # The heartbeat timeout (1.5 s after the last beat).
