import math

import pytest

from kerasverse.tuner import errors
from kerasverse.tuner.engine.hyperparameters import HyperParameters
from kerasverse.tuner.engine.objective import Objective
from kerasverse.tuner.engine.trial import TrialStatus
from kerasverse.tuner.oracles import RandomSearchOracle
from kerasverse.tuner.storage import InMemoryStorage


def _space():
    hp = HyperParameters()
    hp.Float("x", -1, 1)
    hp.Int("n", 1, 5)
    return hp


def _run(oracle, metrics_fn, tuner_id="tuner0"):
    trial = oracle.create_trial(tuner_id)
    if trial.status != TrialStatus.RUNNING:
        return trial
    oracle.update_trial(trial.trial_id, metrics_fn(trial.hyperparameters.values))
    trial.status = TrialStatus.COMPLETED
    oracle.end_trial(trial)
    return trial


def test_trial_ids_are_padded_and_max_trials_stops():
    oracle = RandomSearchOracle(Objective("loss", "min"), max_trials=10, seed=1, hyperparameters=_space())
    ids = [_run(oracle, lambda v: {"loss": v["x"] ** 2}).trial_id for _ in range(10)]
    assert ids == [f"{i:02d}" for i in range(10)]
    assert oracle.create_trial("tuner0").status == TrialStatus.STOPPED
    assert oracle.remaining_trials == 0
    best = oracle.get_best_trials(3)
    scores = [t.score for t in best]
    assert scores == sorted(scores)
    assert scores[0] == min(t.hyperparameters.values["x"] ** 2 for t in oracle.trials.values())


def test_same_seed_same_values():
    def values(seed):
        oracle = RandomSearchOracle("loss", max_trials=3, seed=seed, hyperparameters=_space())
        return [_run(oracle, lambda v: {"loss": 1.0}).hyperparameters.values for _ in range(3)]

    assert values(5) == values(5)
    assert values(5) != values(6)


def test_ongoing_trial_is_returned_again_to_its_tuner():
    oracle = RandomSearchOracle("loss", max_trials=5, seed=1, hyperparameters=_space())
    first = oracle.create_trial("a")
    assert oracle.create_trial("a") is first
    assert oracle.create_trial("b").trial_id != first.trial_id


def test_retries_then_failure_and_consecutive_failure_limit():
    oracle = RandomSearchOracle(
        "loss", max_trials=10, seed=1, hyperparameters=_space(),
        max_retries_per_trial=1, max_consecutive_failed_trials=2,
    )
    trial = oracle.create_trial("t")
    trial.status = TrialStatus.RUNNING  # An error: retry.
    oracle.end_trial(trial)
    again = oracle.create_trial("t")
    assert again.trial_id == trial.trial_id
    again.status, again.message = TrialStatus.RUNNING, "boom"
    oracle.end_trial(again)  # Second error: out of retries, FAILED.
    assert oracle.trials[trial.trial_id].status == TrialStatus.FAILED
    other = oracle.create_trial("t")
    other.status, other.message = TrialStatus.FAILED, "Traceback: bad"
    with pytest.raises(RuntimeError, match="consecutive failures exceeded the limit of 2"):
        oracle.end_trial(other)


def test_nan_score_is_invalid_and_missing_objective_raises():
    oracle = RandomSearchOracle("loss", max_trials=5, seed=1, hyperparameters=_space())
    trial = _run(oracle, lambda v: {"loss": math.nan})
    assert oracle.trials[trial.trial_id].status == TrialStatus.INVALID
    trial = oracle.create_trial("t")
    oracle.update_trial(trial.trial_id, {"accuracy": 0.5})
    trial.status = TrialStatus.COMPLETED
    with pytest.raises(ValueError, match="Objective value missing.*expected: \\['loss'\\]"):
        oracle.end_trial(trial)


def test_objective_inference_and_errors():
    assert RandomSearchOracle("val_accuracy").objective.direction == "max"
    assert RandomSearchOracle("val_loss").objective.direction == "min"
    with pytest.raises(ValueError, match='Could not infer optimization direction.*"my_metric"'):
        RandomSearchOracle("my_metric")
    with pytest.raises(ValueError, match="must be 'min' or 'max'. Received: direction='up'"):
        Objective("a", "up")


def test_multi_objective_sum_and_pareto_front():
    oracle = RandomSearchOracle(
        [Objective("a", "min"), Objective("b", "max")], max_trials=6, seed=1,
        hyperparameters=_space(),
    )
    points = [(1, 1), (2, 3), (3, 3), (0.5, 0), (2, 2), (4, 5)]
    for a, b in points:
        trial = oracle.create_trial("t")
        oracle.update_trial(trial.trial_id, {"a": a, "b": b})
        trial.status = TrialStatus.COMPLETED
        oracle.end_trial(trial)
    # Scalarised as a - b (keras_tuner semantics).
    assert oracle.get_best_trials(1)[0].score == pytest.approx(-1)
    front = {(t.metrics.get_last_value("a"), t.metrics.get_last_value("b")) for t in oracle.get_pareto_front()}
    # Non-dominated for (min a, max b): an independent brute-force check.
    expected = {
        p for p in points
        if not any(q[0] <= p[0] and q[1] >= p[1] and q != p for q in points)
    }
    assert front == expected == {(1, 1), (2, 3), (0.5, 0), (4, 5)}


def test_state_round_trip_through_storage():
    storage = InMemoryStorage()
    oracle = RandomSearchOracle("loss", max_trials=4, seed=3, hyperparameters=_space())
    oracle._set_storage(storage, "study")
    for _ in range(2):
        _run(oracle, lambda v: {"loss": v["x"] ** 2})
    resumed = RandomSearchOracle("loss", max_trials=4, seed=99)
    resumed._set_storage(storage, "study")
    assert sorted(resumed.trials) == ["0", "1"]
    assert [h.name for h in resumed.hyperparameters.space] == ["x", "n"]
    assert resumed.seed == 3
    assert _run(resumed, lambda v: {"loss": 0.0}).trial_id == "2"


def test_new_entries_rules():
    oracle = RandomSearchOracle("loss", max_trials=3, hyperparameters=_space(), allow_new_entries=False)
    hp = _space()
    hp.Int("extra", 0, 3)
    with pytest.raises(RuntimeError, match="`allow_new_entries` is False"):
        oracle.update_space(hp)
    fixed = RandomSearchOracle("loss", max_trials=3, hyperparameters=_space(), tune_new_entries=False)
    fixed.update_space(hp)
    assert type(fixed.hyperparameters.space[-1]).__name__ == "Fixed"


def test_errors_hierarchy():
    assert issubclass(errors.FatalValueError, errors.FatalError)
    assert issubclass(errors.FatalValueError, ValueError)
    assert issubclass(errors.FatalTypeError, TypeError)
    assert issubclass(errors.FatalRuntimeError, RuntimeError)
    assert not issubclass(errors.FailedTrialError, errors.FatalError)


def test_a_trial_without_heartbeat_is_taken_over():
    storage = InMemoryStorage()
    oracle = RandomSearchOracle("loss", max_trials=5, seed=1, hyperparameters=_space())
    oracle._set_storage(storage, "study")
    lost = oracle.create_trial("dead_worker")
    assert oracle.create_trial("alive").trial_id != lost.trial_id
    oracle.heartbeat_timeout = 60
    lost.heartbeat -= 1000  # The dead worker stopped beating long ago.
    taken = oracle.create_trial("newcomer")
    assert taken.trial_id == lost.trial_id and taken.tuner_id == "newcomer"
    oracle.heartbeat(taken.trial_id)
    assert oracle.create_trial("other").trial_id not in (lost.trial_id, "1")
