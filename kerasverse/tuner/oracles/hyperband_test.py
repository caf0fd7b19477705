import collections

import pytest

from kerasverse.tuner.engine.hyperparameters import HyperParameters
from kerasverse.tuner.engine.trial import TrialStatus
from kerasverse.tuner.oracles import HyperbandOracle


def test_brackets_match_keras_tuner_schedule():
    hp = HyperParameters()
    hp.Float("x", 0, 1)
    oracle = HyperbandOracle("loss", max_epochs=9, factor=3, seed=1, hyperparameters=hp)
    rounds = collections.Counter()
    promoted = []
    while True:
        trial = oracle.create_trial("t")
        if trial.status == TrialStatus.STOPPED:
            break
        values = trial.hyperparameters.values
        rounds[(values["tuner/bracket"], values["tuner/round"], values["tuner/epochs"])] += 1
        if "tuner/trial_id" in values:
            parent = oracle.trials[values["tuner/trial_id"]]
            promoted.append((values["x"], parent.hyperparameters.values["x"], values["tuner/initial_epoch"]))
        oracle.update_trial(trial.trial_id, {"loss": values["x"]})
        trial.status = TrialStatus.COMPLETED
        oracle.end_trial(trial)
    # (bracket, round, epochs) -> trials, from keras_tuner's formulas.
    assert rounds == {
        (2, 0, 1): 9, (2, 1, 3): 3, (2, 2, 9): 1,
        (1, 0, 3): 5, (1, 1, 9): 2,
        (0, 0, 9): 3,
    }
    assert len(oracle.trials) == 23
    # A promoted trial continues its parent's values from the parent's epochs.
    assert all(x == parent_x for x, parent_x, _ in promoted)
    assert {initial for _, _, initial in promoted} == {1, 3}


def test_promotes_the_best():
    hp = HyperParameters()
    hp.Float("x", 0, 1)
    oracle = HyperbandOracle("loss", max_epochs=3, factor=3, seed=2, hyperparameters=hp)
    first_round = []
    while True:
        trial = oracle.create_trial("t")
        values = trial.hyperparameters.values
        if trial.status == TrialStatus.STOPPED or values.get("tuner/round") == 1:
            break
        first_round.append(values["x"])
        oracle.update_trial(trial.trial_id, {"loss": values["x"]})
        trial.status = TrialStatus.COMPLETED
        oracle.end_trial(trial)
    assert trial.hyperparameters.values["x"] == pytest.approx(min(first_round))


def test_bad_arguments():
    with pytest.raises(ValueError, match="`factor` must be an int >= 2. Received: factor=1"):
        HyperbandOracle("loss", max_epochs=9, factor=1)
