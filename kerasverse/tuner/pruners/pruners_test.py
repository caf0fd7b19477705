import pytest

from kerasverse.tuner.engine.hyperparameters import HyperParameters
from kerasverse.tuner.engine.objective import Objective
from kerasverse.tuner.engine.trial import TrialStatus
from kerasverse.tuner.oracles import RandomSearchOracle
from kerasverse.tuner.pruners import MedianPruner
from kerasverse.tuner.pruners import Pruner
from kerasverse.tuner.pruners import SuccessiveHalvingPruner


def _oracle(pruner, direction="min"):
    hp = HyperParameters()
    hp.Float("x", 0, 1)
    return RandomSearchOracle(Objective("loss", direction), max_trials=50, seed=0, hyperparameters=hp, pruner=pruner)


def _run(oracle, curve):
    """Reports `curve` step by step; returns the step where it was pruned."""
    trial = oracle.create_trial("t")
    pruned_at = None
    for step, value in enumerate(curve):
        if oracle.report_intermediate_value(trial.trial_id, value, step):
            pruned_at = step
            break
    oracle.update_trial(trial.trial_id, {"loss": min(curve[: (pruned_at or len(curve) - 1) + 1])})
    trial.status = TrialStatus.COMPLETED
    oracle.end_trial(trial)
    return pruned_at, oracle.trials[trial.trial_id]


def test_median_pruner_stops_worse_than_median_after_startup():
    oracle = _oracle(MedianPruner(n_startup_trials=2, n_warmup_steps=1))
    assert _run(oracle, [1.0, 0.8, 0.6])[0] is None
    assert _run(oracle, [2.0, 1.8, 1.6])[0] is None  # Startup trials are never pruned.
    pruned_at, trial = _run(oracle, [3.0, 3.0, 3.0])
    assert pruned_at == 1  # Warm-up protects step 0.
    assert trial.status == TrialStatus.PRUNED
    assert _run(oracle, [0.5, 0.4, 0.3])[0] is None
    # Max direction: lower is worse.
    up = _oracle(MedianPruner(n_startup_trials=1), direction="max")
    _run(up, [0.5, 0.6])
    assert _run(up, [0.1, 0.1])[0] == 0


def test_successive_halving_rungs_and_promotion():
    pruner = SuccessiveHalvingPruner(min_resource=1, reduction_factor=2)
    assert pruner.rung_steps(10) == [0, 1, 3, 7]
    oracle = _oracle(pruner)
    assert _run(oracle, [1.0, 1.0, 1.0, 1.0])[0] is None  # First at each rung: promoted.
    assert _run(oracle, [2.0, 2.0])[0] == 0  # Worse than the top half at rung 0.
    assert _run(oracle, [0.5, 0.5, 0.5, 0.5])[0] is None


def test_pruned_trials_count_toward_max_trials():
    oracle = _oracle(MedianPruner(n_startup_trials=1))
    oracle.max_trials = 3
    for curve in ([1.0, 1.0], [5.0, 5.0], [6.0, 6.0]):
        _run(oracle, curve)
    statuses = [t.status for t in oracle.trials.values()]
    assert statuses.count(TrialStatus.PRUNED) == 2
    assert oracle.create_trial("t").status == TrialStatus.STOPPED
    assert [t.trial_id for t in oracle.get_best_trials(5)] == ["0"]


def test_custom_pruner_and_arguments():
    class Threshold(Pruner):
        def prune(self, oracle, trial):
            return trial.intermediate_values[max(trial.intermediate_values)] > 1.5

    oracle = _oracle(Threshold())
    assert _run(oracle, [1.0, 2.0, 0.1])[0] == 1
    with pytest.raises(TypeError):
        Pruner()
    with pytest.raises(ValueError, match="`reduction_factor` must be an int >= 2. Received: reduction_factor=1"):
        SuccessiveHalvingPruner(reduction_factor=1)
    with pytest.raises(ValueError, match="`n_startup_trials` must be an int >= 0"):
        MedianPruner(n_startup_trials=-1)
