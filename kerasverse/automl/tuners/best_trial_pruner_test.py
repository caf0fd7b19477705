"""BestTrialPruner: a trial clearly behind the best completed one at the same epoch stops."""

import types

import pytest

import kerasverse.automl as ak
from kerasverse.tuner.engine.hyperparameters import HyperParameters
from kerasverse.tuner.engine.objective import Objective
from kerasverse.tuner.engine.trial import Trial
from kerasverse.tuner.engine.trial import TrialStatus

pytestmark = pytest.mark.host


def _trial(trial_id, values, status=TrialStatus.RUNNING, score=None):
    trial = Trial(HyperParameters(), trial_id=trial_id, status=status)
    trial.intermediate_values = dict(enumerate(values))
    trial.score = score
    return trial


def _oracle(direction, *trials):
    return types.SimpleNamespace(objective=Objective("val_loss" if direction == "min" else "val_accuracy", direction),
                                 trials={t.trial_id: t for t in trials})


def test_prunes_only_past_the_warmup_and_the_margin():
    best = _trial("0", [1.0, 0.5, 0.4, 0.3], TrialStatus.COMPLETED, score=0.3)
    worse = _trial("1", [2.0, 0.7])  # epoch 1: 0.7 > 0.5 * 1.25
    close = _trial("2", [2.0, 0.6])  # within 25% of 0.5
    pruner = ak.BestTrialPruner(n_warmup_steps=1, margin=0.25)
    assert pruner.prune(_oracle("min", best, worse), worse)
    assert not pruner.prune(_oracle("min", best, close), close)
    early = _trial("3", [2.0])  # epoch 0 is the warm-up
    assert not pruner.prune(_oracle("min", best, early), early)
    # The best so far counts: a trial that was good at epoch 0 is not pruned at 1.
    dipped = _trial("4", [0.45, 0.9])
    assert not pruner.prune(_oracle("min", best, dipped), dipped)


def test_compares_with_the_best_completed_trial_and_handles_max():
    good = _trial("0", [0.5, 0.9], TrialStatus.COMPLETED, score=0.9)
    poor = _trial("1", [0.3, 0.4], TrialStatus.COMPLETED, score=0.4)
    pruned = _trial("2", [0.2, 0.6], TrialStatus.PRUNED, score=0.95)  # not COMPLETED: ignored
    current = _trial("3", [0.3, 0.6])  # 0.6 < 0.9 - 0.25 * 0.9
    pruner = ak.BestTrialPruner()
    assert pruner.prune(_oracle("max", good, poor, pruned, current), current)
    assert not pruner.prune(_oracle("max", poor, current), current)
    assert not pruner.prune(_oracle("max", current), current)  # nothing finished yet


def test_automodel_prunes_by_default_and_none_turns_it_off(tmp_path):
    model = ak.StructuredDataRegressor(max_trials=2, directory=str(tmp_path), overwrite=True)
    assert isinstance(model.tuner.oracle.pruner, ak.BestTrialPruner)
    model = ak.StructuredDataRegressor(max_trials=2, directory=str(tmp_path), overwrite=True, pruner=None)
    assert model.tuner.oracle.pruner is None


def test_bad_arguments():
    with pytest.raises(ValueError, match="n_warmup_steps"):
        ak.BestTrialPruner(n_warmup_steps=-1)
    with pytest.raises(ValueError, match="margin"):
        ak.BestTrialPruner(margin="big")
