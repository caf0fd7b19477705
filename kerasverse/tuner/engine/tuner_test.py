import os

import keras
import numpy as np
import pytest

import kerasverse.tuner as kt
from kerasverse.tuner.engine import tuner as tuner_module


def _build(hp):
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(hp.Int("units", 1, 4))])
    model.compile("sgd", "mse")
    return model


def test_memory_is_released_after_each_trial(tmp_path, monkeypatch):
    calls = []
    release = tuner_module.release_memory
    monkeypatch.setattr(
        tuner_module, "release_memory", lambda **kwargs: calls.append(release(**kwargs))
    )
    x = np.zeros((4, 3), "float32")
    tuner = kt.RandomSearch(_build, "loss", max_trials=2, seed=0, directory=str(tmp_path),
                            verbose=0)
    tuner.search(x, x[:, :1], epochs=1, verbose=0)
    # One release when the search starts (the space discovery built a model),
    # then one per trial: before each build, the state is already clear.
    assert calls == [True, False, True, False, True]
    # The Keras state was cleared: layer names start again from scratch.
    keras.layers.Dense(1, name=None)  # noqa: B018
    release()
    assert keras.layers.Dense(1).name == "dense"


def _data(n=24):
    rng = np.random.default_rng(0)
    x = rng.random((n, 3), dtype="float32")
    return x, x.sum(axis=1, keepdims=True)


def _build_lazy(hp):
    # No `Input`: the model is built by its first `fit` (keras.io's Getting started).
    model = keras.Sequential([
        keras.layers.Dense(hp.Int("units", 2, 8), activation="relu"),
        keras.layers.Dense(1),
    ])
    model.compile("adam", "mse", metrics=["mae"])
    return model


def test_best_model_built_lazily_is_rebuilt_and_loaded(tmp_path):
    x, y = _data()
    tuner = kt.RandomSearch(_build_lazy, "val_loss", max_trials=2, seed=1,
                            directory=str(tmp_path), verbose=0)
    tuner.search(x, y, epochs=2, validation_split=0.25, verbose=0)
    best_trial = tuner.oracle.get_best_trials(1)[0]
    best = tuner.get_best_models(1)[0]
    assert best.built
    best.build((None, 3))  # The guide's line: no batch size was saved.
    # Independent check: the same model built by hand from the trial's input
    # shape, loaded from the trial's checkpoint, predicts the same.
    reference = _build_lazy(best_trial.hyperparameters.copy())
    reference.build((None, 3))
    reference.load_weights(os.path.join(tuner.get_trial_dir(best_trial.trial_id),
                                        "checkpoint.weights.h5"))
    np.testing.assert_allclose(best.predict(x, verbose=0), reference.predict(x, verbose=0),
                               rtol=1e-6)


def test_tuner_level_optimizer_is_copied_for_each_trial(tmp_path):
    x, y = _data()
    optimizer = keras.optimizers.Adam(learning_rate=0.003)
    # Loss and optimizer overridden; the hypermodel's metrics ("mae") are kept.
    tuner = kt.RandomSearch(_build_lazy, "val_mae", max_trials=3, seed=3, optimizer=optimizer,
                            loss="mae", directory=str(tmp_path), verbose=0)
    tuner.search(x, y, epochs=1, validation_split=0.25, verbose=0)
    trials = list(tuner.oracle.trials.values())
    assert [t.status for t in trials] == [kt.TrialStatus.COMPLETED] * 3, [t.message for t in trials]
    assert len({t.hyperparameters.values["units"] for t in trials}) > 1  # Several model shapes.
    assert not optimizer.built  # The user's object trained nothing.
    best = tuner.get_best_models(1)[0]
    assert best.loss == "mae"  # As keras_tuner: the overrides apply to the loaded model too.
    assert best.optimizer is not optimizer
    np.testing.assert_allclose(float(best.optimizer.learning_rate), 0.003, rtol=1e-6)


def _build_with_choice_lr(hp):
    model = _build_lazy(hp)
    learning_rate = hp.Choice("learning_rate", [1e-2, 1e-3, 1e-4])
    model.compile(keras.optimizers.Adam(learning_rate), "mse")
    _build_with_choice_lr.seen.append(learning_rate)
    return model


_build_with_choice_lr.seen = []


def test_hyperparameters_override_of_another_type_gives_the_override_value(tmp_path):
    # keras.io "Tailor the search space": a Float overrides build's Choice.
    x, y = _data()
    hp = kt.HyperParameters()
    hp.Float("learning_rate", min_value=1e-4, max_value=1e-2, sampling="log")
    _build_with_choice_lr.seen.clear()
    tuner = kt.RandomSearch(_build_with_choice_lr, "val_loss", max_trials=3, seed=2,
                            hyperparameters=hp, tune_new_entries=False,
                            directory=str(tmp_path), verbose=0)
    tuner.search(x, y, epochs=1, validation_split=0.25, verbose=0)
    trials = list(tuner.oracle.trials.values())
    assert [t.status for t in trials] == [kt.TrialStatus.COMPLETED] * 3, [t.message for t in trials]
    values = [t.hyperparameters.values["learning_rate"] for t in trials]
    assert all(1e-4 <= v <= 1e-2 for v in values)
    assert not set(values) <= {1e-2, 1e-3, 1e-4}  # Sampled from the Float, not the Choice.
    assert set(values) <= set(_build_with_choice_lr.seen)  # What build received.
    assert {t.hyperparameters.values["units"] for t in trials} == {2}  # Not tuned: default.
    space = {p.name: type(p).__name__ for p in tuner.oracle.get_space().space}
    assert space == {"learning_rate": "Float", "units": "Fixed"}


def _build_conditional(hp):
    inputs = keras.Input((3,))
    hp.Choice("model_type", ["mlp", "wide"])
    with hp.conditional_scope("model_type", ["mlp"]):
        units = hp.Int("mlp_units", 2, 4)
    with hp.conditional_scope("model_type", ["wide"]):
        units = units or hp.Int("wide_units", 8, 16)
    x = keras.layers.Dense(units)(inputs)
    model = keras.Model(inputs, keras.layers.Dense(1)(x))
    model.compile("adam", "mse")
    return model


def test_search_space_summary_before_search_shows_the_space(tmp_path, capsys):
    tuner = kt.RandomSearch(_build_conditional, "val_loss", max_trials=2,
                            directory=str(tmp_path), verbose=0)
    tuner.search_space_summary()
    out = capsys.readouterr().out
    # As keras_tuner: the hypermodel is built at creation, once per
    # conditional scope, so the inactive branch's entries are there too.
    assert "Default search space size: 3" in out
    for line in ("model_type (Choice)", "mlp_units (Int)", "wide_units (Int)"):
        assert line in out


class _CustomLoopHyperModel(kt.HyperModel):
    """keras.io's "custom training loop" guide: `fit` trains by hand and
    drives the tuner's callbacks itself."""

    def build(self, hp):
        inputs = keras.Input((3,))
        outputs = keras.layers.Dense(1)(keras.layers.Dense(hp.Choice("units", [2, 4]))(inputs))
        return keras.Model(inputs, outputs)

    def fit(self, hp, model, x, y, validation_data, callbacks=None, **kwargs):
        model.compile(keras.optimizers.Adam(0.01), "mse")
        for callback in callbacks:
            callback.model = model  # Read-only in Keras 3's base Callback.
        best = float("inf")
        for epoch in range(2):
            model.train_on_batch(x, y)
            loss = float(model.test_on_batch(*validation_data))
            for callback in callbacks:
                callback.on_epoch_end(epoch, logs={"my_metric": loss})
            best = min(best, loss)
        return best


def test_custom_training_loop_drives_the_tuner_callbacks(tmp_path):
    x, y = _data()
    tuner = kt.RandomSearch(_CustomLoopHyperModel(), kt.Objective("my_metric", "min"),
                            max_trials=2, directory=str(tmp_path), verbose=0)
    tuner.search(x, y, validation_data=(x, y))
    best_trial = tuner.oracle.get_best_trials(1)[0]
    assert best_trial.status == kt.TrialStatus.COMPLETED, best_trial.message
    best = tuner.get_best_models(1)[0]
    # The checkpoint saved by the callback at the best epoch is what was loaded.
    best.compile("sgd", "mse")
    assert float(best.evaluate(x, y, verbose=0)) == pytest.approx(best_trial.score, rel=1e-4)
