import numpy as np
import pytest

from kerasverse.tuner.engine.hyperparameters import HyperParameters
from kerasverse.tuner.engine.objective import Objective
from kerasverse.tuner.engine.trial import TrialStatus
from kerasverse.tuner.oracles import BayesianOptimizationOracle
from kerasverse.tuner.oracles import RandomSearchOracle
from kerasverse.tuner.oracles.gaussian_process import GaussianProcess


def _branin(x1, x2):
    b, c, t = 5.1 / (4 * np.pi**2), 5 / np.pi, 1 / (8 * np.pi)
    return (x2 - b * x1**2 + c * x1 - 6) ** 2 + 10 * (1 - t) * np.cos(x1) + 10


def _minimize(oracle, function):
    best = np.inf
    while True:
        trial = oracle.create_trial("t")
        if trial.status != TrialStatus.RUNNING:
            return best
        value = function(**trial.hyperparameters.values)
        best = min(best, value)
        oracle.update_trial(trial.trial_id, {"y": value})
        trial.status = TrialStatus.COMPLETED
        oracle.end_trial(trial)


def test_gaussian_process_interpolates_and_is_uncertain_away_from_data():
    rng = np.random.default_rng(0)
    x = rng.random((20, 1))
    y = np.sin(6 * x[:, 0])
    gp = GaussianProcess(seed=0).fit(x, y)
    mean, std = gp.predict(x)
    assert np.max(np.abs(mean - y)) < 0.05
    test = np.linspace(0.05, 0.95, 7)[:, None]
    mean, _ = gp.predict(test)
    assert np.max(np.abs(mean - np.sin(6 * test[:, 0]))) < 0.1
    _, far_std = gp.predict(np.array([[3.0]]))
    assert far_std[0] > 5 * np.max(std)


def test_beats_random_search_on_branin():
    def space():
        hp = HyperParameters()
        hp.Float("x1", -5, 10)
        hp.Float("x2", 0, 15)
        return hp

    bo = _minimize(BayesianOptimizationOracle(Objective("y", "min"), max_trials=25, seed=1, hyperparameters=space()), _branin)
    random = _minimize(RandomSearchOracle(Objective("y", "min"), max_trials=25, seed=1, hyperparameters=space()), _branin)
    assert bo < 0.45  # Optimum: 0.397887.
    assert bo < random


def test_maximizes_with_categorical_and_log_dimensions():
    hp = HyperParameters()
    hp.Float("lr", 1e-5, 1e-1, sampling="log")
    hp.Choice("act", ["relu", "tanh", "gelu"])
    oracle = BayesianOptimizationOracle(
        Objective("y", "max"), max_trials=14, seed=0, hyperparameters=hp, num_initial_points=5
    )

    def score(lr, act):
        return -abs(np.log10(lr) + 3) - (0 if act == "tanh" else 1)

    _minimize(oracle, score)
    best_trial = oracle.get_best_trials(1)[0]
    assert best_trial.score > -0.3
    assert best_trial.hyperparameters.values["act"] == "tanh"


def test_bad_arguments():
    with pytest.raises(ValueError, match="`acquisition` must be 'ei' or 'ucb'"):
        BayesianOptimizationOracle("loss", acquisition="pi")
