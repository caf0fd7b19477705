"""GreedyOracle: the initial configurations first, then one group of the best trial mutated."""

import pytest

from kerasverse.automl.tuners.greedy import GreedyOracle
from kerasverse.tuner.engine.hyperparameters import HyperParameters
from kerasverse.tuner.engine.trial import TrialStatus

pytestmark = pytest.mark.host


def _space():
    hp = HyperParameters()
    with hp.name_scope("dense_block_1"):
        hp.Choice("num_layers", [1, 2, 3], default=2)
        hp.Choice("units_0", [16, 32, 64], default=32)
    with hp.name_scope("classification_head_1"):
        hp.Choice("dropout", [0.0, 0.25, 0.5], default=0.0)
    hp.Choice("learning_rate", [1e-2, 1e-3, 1e-4], default=1e-3)
    return hp


def test_initial_hps_first_then_mutations_of_the_best():
    initial = {"dense_block_1/num_layers": 1, "dense_block_1/units_0": 64,
               "classification_head_1/dropout": 0.5, "learning_rate": 1e-2}
    oracle = GreedyOracle(objective="val_loss", max_trials=20, initial_hps=[initial], seed=3)
    oracle.update_space(_space())
    first = oracle.create_trial("tuner0")
    assert first.hyperparameters.values == initial
    oracle.update_trial(first.trial_id, {"val_loss": 0.1})
    first.status = TrialStatus.COMPLETED
    oracle.end_trial(first)
    seen = set()
    for _ in range(8):
        trial = oracle.create_trial("tuner0")
        changed = {k for k, v in trial.hyperparameters.values.items() if initial.get(k) != v}
        seen.add(frozenset(changed))
        assert trial.hyperparameters.values != initial
        oracle.update_trial(trial.trial_id, {"val_loss": 1.0})
        trial.status = TrialStatus.COMPLETED
        oracle.end_trial(trial)
    # Mutations keep the best trial's values outside the mutated group; most change one group only.
    assert any(len(group) == 1 for group in seen)


def test_state_round_trip_keeps_the_tried_initial_hps():
    oracle = GreedyOracle(objective="val_loss", max_trials=5, initial_hps=[{"learning_rate": 1e-2}], seed=1)
    oracle.update_space(_space())
    oracle.create_trial("tuner0")
    restored = GreedyOracle(objective="val_loss", max_trials=5, initial_hps=[{"learning_rate": 1e-2}])
    restored.set_state(oracle.get_state())
    assert restored._tried_initial_hps == [True]


def test_without_initial_hps_the_defaults_come_first_then_mutations():
    oracle = GreedyOracle(objective="val_loss", max_trials=5, seed=3)
    oracle.update_space(_space())
    first = oracle.create_trial("tuner0")
    defaults = {"dense_block_1/num_layers": 2, "dense_block_1/units_0": 32,
                "classification_head_1/dropout": 0.0, "learning_rate": 1e-3}
    assert first.hyperparameters.values == defaults
    oracle.update_trial(first.trial_id, {"val_loss": 0.1})
    first.status = TrialStatus.COMPLETED
    oracle.end_trial(first)
    second = oracle.create_trial("tuner0")
    assert second.hyperparameters.values != defaults
    assert set(second.hyperparameters.values) == set(defaults)
