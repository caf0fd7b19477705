import itertools

from kerasverse.tuner.engine.hyperparameters import HyperParameters
from kerasverse.tuner.engine.trial import TrialStatus
from kerasverse.tuner.oracles import GridSearchOracle


def _all_values(oracle):
    seen = []
    while True:
        trial = oracle.create_trial("t")
        if trial.status == TrialStatus.STOPPED:
            return seen
        seen.append(dict(trial.hyperparameters.values))
        oracle.update_trial(trial.trial_id, {"loss": 1.0})
        trial.status = TrialStatus.COMPLETED
        oracle.end_trial(trial)


def test_grid_visits_every_combination_once():
    hp = HyperParameters()
    hp.Choice("units", [8, 16, 32])
    hp.Boolean("bias")
    hp.Float("rate", 0.0, 0.2, step=0.1)
    seen = _all_values(GridSearchOracle("loss", hyperparameters=hp))
    keys = [(v["units"], v["bias"], round(v["rate"], 6)) for v in seen]
    expected = set(itertools.product([8, 16, 32], [False, True], [0.0, 0.1, 0.2]))
    assert len(keys) == len(set(keys)) == 18
    assert set(keys) == expected
    assert keys[0] == (8, False, 0.0) and keys[1] == (8, False, 0.1)  # Last one fastest.


def test_grid_respects_conditions_and_max_trials():
    hp = HyperParameters()
    hp.Choice("kind", ["a", "b"])
    with hp.conditional_scope("kind", ["b"]):
        hp.Int("depth", 1, 3)
    seen = _all_values(GridSearchOracle("loss", hyperparameters=hp))
    assert seen == [{"kind": "a"}, {"kind": "b", "depth": 1}, {"kind": "b", "depth": 2}, {"kind": "b", "depth": 3}]
    assert len(_all_values(GridSearchOracle("loss", hyperparameters=hp, max_trials=2))) == 2
