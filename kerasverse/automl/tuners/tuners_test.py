"""`tuner=` names map to AutoTuners on kerasverse.tuner's oracles."""

import pytest

import kerasverse.automl as ak
from kerasverse.automl.tuners import GreedyOracle
from kerasverse.tuner import oracles

pytestmark = pytest.mark.host


@pytest.mark.parametrize(
    "name, tuner_class, oracle_class",
    [
        ("greedy", ak.Greedy, GreedyOracle),
        ("random", ak.RandomSearch, oracles.RandomSearchOracle),
        ("hyperband", ak.Hyperband, oracles.HyperbandOracle),
        ("bayesian", ak.BayesianOptimization, oracles.BayesianOptimizationOracle),
    ],
)
def test_tuner_names(tmp_path, name, tuner_class, oracle_class):
    model = ak.StructuredDataRegressor(tuner=name, max_trials=3, directory=str(tmp_path), seed=1)
    assert isinstance(model.tuner, tuner_class) and isinstance(model.tuner, ak.AutoTuner)
    if oracle_class is not None:
        assert isinstance(model.tuner.oracle, oracle_class)
    assert model.tuner.oracle.max_trials == 3


def test_a_tuner_class_is_accepted(tmp_path):
    class MyTuner(ak.RandomSearch):
        pass

    model = ak.ImageClassifier(tuner=MyTuner, max_trials=2, directory=str(tmp_path))
    assert type(model.tuner) is MyTuner
