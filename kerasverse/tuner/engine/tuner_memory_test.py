"""What a trial costs in garbage collection: nothing when it built no model,
one collection of the objects made since the search began when it did."""

import gc

import keras
import numpy as np

import kerasverse.tuner as kt
from kerasverse.tuner.engine import tuner as tuner_module


class _NumberTuner(kt.Tuner):
    """A trivial objective: no model is built."""

    def run_trial(self, trial, *args, **kwargs):
        self.frozen_during_trials.append(gc.get_freeze_count())
        return trial.hyperparameters.Float("x", -1.0, 1.0) ** 2


def _build(hp):
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(hp.Int("units", 1, 4))])
    model.compile("sgd", "mse")
    return model


def _count_collections(monkeypatch):
    calls = []
    collect = gc.collect

    def counting(*args, **kwargs):
        calls.append(args)
        return collect(*args, **kwargs)

    monkeypatch.setattr(gc, "collect", counting)
    return calls


def test_trials_without_models_collect_nothing_and_freeze_the_heap(tmp_path, monkeypatch):
    # Start from released Keras state: an earlier test on this worker may have
    # built models, which the search would (rightly) release once up front.
    tuner_module.release_memory()
    collections = _count_collections(monkeypatch)
    oracle = kt.oracles.RandomSearchOracle(kt.Objective("score", "min"), max_trials=4, seed=0)
    tuner = _NumberTuner(oracle=oracle, directory=str(tmp_path), verbose=0)
    tuner.frozen_during_trials = []
    assert gc.get_freeze_count() == 0
    tuner.search()
    assert collections == []
    assert len(tuner.frozen_during_trials) == 4
    # Objects alive before the search were frozen out of the collections,
    # and given back to the collector afterwards.
    assert all(count > 1000 for count in tuner.frozen_during_trials)
    assert gc.get_freeze_count() == 0
    assert len([t for t in tuner.oracle.trials.values() if t.status == "COMPLETED"]) == 4


def test_trials_with_models_collect_once_each(tmp_path, monkeypatch):
    collections = _count_collections(monkeypatch)
    x = np.zeros((4, 3), "float32")
    tuner = kt.RandomSearch(_build, "loss", max_trials=3, seed=0, directory=str(tmp_path),
                            verbose=0)
    tuner.search(x, x[:, :1], epochs=1, verbose=0)
    # One before the first trial (the search-space discovery built a model),
    # then one per trial (Keras' clear_session no longer collects too).
    assert len(collections) == 1 + 3
    # The Keras state was cleared after the last trial: names start afresh.
    assert keras.layers.Dense(1).name == "dense"
    assert gc.get_freeze_count() == 0
