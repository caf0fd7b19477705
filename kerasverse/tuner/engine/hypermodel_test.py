import pytest

import kerasverse.tuner as kt
from kerasverse.tuner.engine.hypermodel import DefaultHyperModel
from kerasverse.tuner.engine.hypermodel import get_hypermodel


class _Model:
    def fit(self, *args, **kwargs):
        return {"loss": 0.5, "args": args, "kwargs": kwargs}


class _HyperModel(kt.HyperModel):
    def build(self, hp):
        hp.Int("units", 1, 4)
        return _Model()


def test_function_becomes_a_hypermodel_and_fit_defaults_to_model_fit():
    def build(hp):
        return _Model()

    hypermodel = get_hypermodel(build)
    assert isinstance(hypermodel, DefaultHyperModel)
    hp = kt.HyperParameters()
    result = hypermodel.fit(hp, hypermodel.build(hp), 1, epochs=2)
    assert result["args"] == (1,) and result["kwargs"] == {"epochs": 2}
    with pytest.raises(TypeError, match="should be either a callable"):
        get_hypermodel(42)


def test_untunable_hypermodel_keeps_its_hyperparameters_out_of_the_space():
    hp = kt.HyperParameters()
    _HyperModel(name="m", tunable=True).build(hp)
    assert "units" in hp
    hp = kt.HyperParameters()
    _HyperModel(tunable=False).build(hp)
    assert "units" not in hp


def test_keras_tuner_names_are_exported():
    for name in (
        "HyperModel", "HyperParameter", "HyperParameters", "Objective", "Oracle", "Tuner",
        "RandomSearch", "GridSearch", "Hyperband", "BayesianOptimization", "SklearnTuner",
    ):
        assert hasattr(kt, name), name
    for name in ("RandomSearchOracle", "GridSearchOracle", "HyperbandOracle", "BayesianOptimizationOracle"):
        assert hasattr(kt.oracles, name), name
    assert kt.engine.trial.TrialStatus.COMPLETED == "COMPLETED"
    assert kt.engine.hyperparameters.HyperParameters is kt.HyperParameters
    assert kt.engine.tuner.Tuner is kt.Tuner
    for name in ("FailedTrialError", "FatalError", "FatalValueError", "FatalTypeError", "FatalRuntimeError"):
        assert hasattr(kt.errors, name), name
