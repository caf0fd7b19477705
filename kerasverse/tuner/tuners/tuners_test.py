"""End-to-end searches with tiny Keras models, one per tuner."""

import keras
import numpy as np
import pytest

import kerasverse.tuner as kt


def _data():
    rng = np.random.default_rng(0)
    x = rng.random((48, 4)).astype("float32")
    y = (x.sum(axis=1) > 2).astype("float32")
    return x, y


def build_model(hp):
    model = keras.Sequential(
        [
            keras.Input((4,)),
            keras.layers.Dense(hp.Int("units", 2, 8, step=2), activation="relu"),
            keras.layers.Dense(1, activation="sigmoid"),
        ]
    )
    model.compile(
        keras.optimizers.Adam(hp.Float("lr", 1e-3, 1e-1, sampling="log")),
        "binary_crossentropy",
        metrics=["accuracy"],
    )
    return model


def test_random_search_end_to_end(tmp_path):
    x, y = _data()
    tuner = kt.RandomSearch(
        build_model, objective="val_accuracy", max_trials=3, seed=1,
        directory=str(tmp_path), project_name="rs", verbose=0,
    )
    tuner.search(x, y, epochs=2, validation_data=(x, y), verbose=0)
    best_trial = tuner.oracle.get_best_trials(1)[0]
    assert len(tuner.oracle.trials) == 3
    assert set(best_trial.intermediate_values) == {0, 1}
    model = tuner.get_best_models(1)[0]
    assert model.layers[0].units == best_trial.hyperparameters.values["units"]
    # The best epoch's weights were restored: same val_accuracy as recorded.
    _, accuracy = model.evaluate(x, y, verbose=0)
    assert accuracy == pytest.approx(best_trial.score, abs=1e-6)
    hps = tuner.get_best_hyperparameters()[0]
    assert hps.values == best_trial.hyperparameters.values


class _HyperModel(kt.HyperModel):
    def build(self, hp):
        return build_model(hp)

    def fit(self, hp, model, x, y, **kwargs):
        model.fit(x, y, batch_size=hp.Choice("batch_size", [8, 16]), verbose=0, **kwargs)
        return {"score": float(model.evaluate(x, y, verbose=0)[1])}


def test_bayesian_and_grid_with_hypermodel_fit(tmp_path):
    x, y = _data()
    tuner = kt.BayesianOptimization(
        _HyperModel(), objective=kt.Objective("score", "max"), max_trials=3,
        num_initial_points=2, directory=str(tmp_path), project_name="bo", verbose=0,
    )
    tuner.search(x, y, epochs=1)
    names = [hp.name for hp in tuner.oracle.hyperparameters.space]
    assert names == ["units", "lr", "batch_size"]  # `fit` declared batch_size.
    assert all(t.status == "COMPLETED" for t in tuner.oracle.trials.values())

    hp = kt.HyperParameters()
    hp.Choice("units", [2, 4])
    hp.Fixed("lr", 0.01)
    grid = kt.GridSearch(
        build_model, objective="val_loss", hyperparameters=hp, allow_new_entries=False,
        directory=str(tmp_path), project_name="grid", verbose=0, executions_per_trial=2,
    )
    grid.search(x, y, epochs=1, validation_data=(x, y), verbose=0)
    assert sorted(t.hyperparameters.values["units"] for t in grid.oracle.trials.values()) == [2, 4]


@pytest.mark.slow
def test_hyperband_resumes_promoted_trials(tmp_path):
    x, y = _data()
    tuner = kt.Hyperband(
        build_model, objective="val_loss", max_epochs=3, factor=3, seed=1,
        directory=str(tmp_path), project_name="hb", verbose=0,
    )
    tuner.search(x, y, validation_data=(x, y), verbose=0)
    trials = list(tuner.oracle.trials.values())
    promoted = [t for t in trials if "tuner/trial_id" in t.hyperparameters.values]
    assert promoted
    for trial in promoted:
        # Trained from epoch 1 to 3 only: intermediate values at steps 1, 2.
        assert sorted(trial.intermediate_values) == [1, 2]


def _not_a_model(hp):
    hp.Int("units", 1, 2)
    return "model"


def test_build_must_return_a_model(tmp_path):
    tuner = kt.RandomSearch(
        _not_a_model, objective="val_loss", max_trials=2, directory=str(tmp_path), verbose=0,
    )
    with pytest.raises(kt.errors.FatalTypeError, match="return a valid Keras Model"):
        tuner.search(np.zeros((4, 1)), np.zeros((4, 1)), epochs=1)


def test_oversized_models_fail_their_trial(tmp_path):
    x, y = _data()
    tuner = kt.RandomSearch(
        build_model, objective="val_loss", max_trials=2, max_model_size=5,
        max_consecutive_failed_trials=5, directory=str(tmp_path), verbose=0,
    )
    tuner.search(x, y, epochs=1, validation_data=(x, y), verbose=0)
    trials = list(tuner.oracle.trials.values())
    assert [t.status for t in trials] == ["FAILED", "FAILED"]
    assert "Oversized model" in trials[0].message


def test_sklearn_tuner(tmp_path):
    from sklearn import linear_model
    from sklearn import metrics as sk_metrics

    def build(hp):
        return linear_model.Ridge(alpha=hp.Float("alpha", 1e-3, 1e3, sampling="log"))

    rng = np.random.default_rng(0)
    x = rng.normal(size=(60, 3))
    y = x @ np.array([1.0, -2.0, 0.5]) + 0.1 * rng.normal(size=60)
    tuner = kt.SklearnTuner(
        oracle=kt.oracles.RandomSearchOracle(kt.Objective("score", "max"), max_trials=4, seed=0),
        hypermodel=build, metrics=[sk_metrics.mean_absolute_error],
        directory=str(tmp_path), project_name="sk", verbose=0,
    )
    tuner.search(x, y)
    best = tuner.oracle.get_best_trials(1)[0]
    alphas = {t.hyperparameters.values["alpha"]: t.score for t in tuner.oracle.trials.values()}
    assert best.hyperparameters.values["alpha"] == min(alphas)  # Least regularized fits best.
    assert best.metrics.exists("mean_absolute_error")
    model = tuner.get_best_models(1)[0]
    assert model.coef_.shape == (3,)
