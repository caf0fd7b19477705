"""Independent processes running the same AutoML search on one project (issue #24).

Each process is what a user starts to scale a search: the same script, the
same `directory`/`project_name`. They share the tuner's study (SQLite), so
between them they run `max_trials` trials, and each then trains and saves the
final model; the project must load afterwards.
"""

import os
import subprocess
import sys
import time

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer

import kerasverse.automl as ak
from kerasverse.tuner import load_study
from kerasverse.tuner.engine.trial import TrialStatus

MAX_TRIALS = 3

SCRIPT = """
import os, sys, time
import keras
from sklearn.datasets import load_breast_cancer
import kerasverse.automl as ak

directory = sys.argv[1]
x, y = load_breast_cancer(return_X_y=True)
clf = ak.StructuredDataClassifier(max_trials=int(sys.argv[2]), directory=directory, project_name="p", seed=1)
open(os.path.join(directory, f"ready_{os.getpid()}"), "w").close()
while not os.path.exists(os.path.join(directory, "go")):
    time.sleep(0.02)
# Each trial lasts at least a second, so the two processes' trials overlap
# (a 0.1 s trial let one process finish the search before the other began).
pause = keras.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: time.sleep(1.0))
clf.fit(x[:200], y[:200], epochs=1, verbose=0, callbacks=[pause])
"""


def _start(directory, count):
    backend = os.environ.get("KERAS_BACKEND", "jax")
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env = {**os.environ, "KERAS_BACKEND": backend,
           "PYTHONPATH": os.pathsep.join([root, os.environ.get("PYTHONPATH", "")])}
    processes = [
        subprocess.Popen([sys.executable, "-c", SCRIPT, directory, str(MAX_TRIALS)], env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(count)
    ]
    # All imported and constructed before any searches, so that they overlap.
    deadline = time.time() + 300
    while sum(name.startswith("ready_") for name in os.listdir(directory)) < count:
        assert time.time() < deadline and all(p.poll() is None for p in processes), [
            p.communicate()[1][-3000:] for p in processes if p.poll() is not None
        ]
        time.sleep(0.05)
    open(os.path.join(directory, "go"), "w").close()
    return processes


@pytest.mark.slow
def test_independent_processes_share_one_automl_search(tmp_path):
    directory = str(tmp_path)
    processes = _start(directory, count=2)
    outputs = [(p.wait(timeout=600), p.communicate()[1]) for p in processes]
    assert [code for code, _ in outputs] == [0, 0], [err[-3000:] for _, err in outputs]

    # One study: exactly max_trials trials between them, all COMPLETED, no id twice.
    trials = load_study(os.path.join(directory, "p")).trials
    assert len(trials) == MAX_TRIALS
    assert len(set(trials)) == len({t.trial_id for t in trials.values()}) == MAX_TRIALS
    assert all(t.status == TrialStatus.COMPLETED for t in trials.values()), {
        k: (t.status, t.message) for k, t in trials.items()
    }
    # Both processes ran trials: one process runs its trials one after another,
    # so two trials running at the same time were run by the two processes.
    spans = sorted((t.started, t.ended) for t in trials.values())
    assert any(later[0] < earlier[1] for earlier, later in zip(spans, spans[1:])), spans
    # Both saved the final files (state, statistics, weights) through a rename:
    # no temporary file is left behind.
    assert not [name for name in os.listdir(os.path.join(directory, "p")) if name.startswith(".tmp-")]

    # A third, fresh task object on the project loads the final model without refitting.
    x, y = load_breast_cancer(return_X_y=True)
    again = ak.StructuredDataClassifier(max_trials=MAX_TRIALS, directory=directory, project_name="p", seed=1)
    predicted = again.predict(x[400:], verbose=0)
    assert predicted.shape == y[400:].shape and set(np.unique(predicted)) <= {0, 1}
    assert len(again.tuner.oracle.trials) == MAX_TRIALS
