"""keras.io's "Visualize the hyperparameter tuning process", without TensorFlow:
one folder per trial and execution, scalars and HParams data."""

import os

import keras
import numpy as np
import pytest

import kerasverse.tuner as kt
from kerasverse.tuner.callbacks.event_file_test import read_run

pytest.importorskip("tensorboardX")
from tensorboardX.proto import plugin_hparams_pb2  # noqa: E402


def _build(hp):
    inputs = keras.Input((3,))
    x = keras.layers.Dense(hp.Int("units", 2, 6, step=2), activation=hp.Choice("act", ["relu", "tanh"]))(inputs)
    model = keras.Model(inputs, keras.layers.Dense(1)(x))
    model.compile("adam", "mse", metrics=["mae"])
    return model


class _HyperModel(kt.HyperModel):
    def build(self, hp):
        return _build(hp)

    def fit(self, hp, model, *args, **kwargs):
        # Declared only here: not in the space discovered at creation.
        return model.fit(*args, shuffle=hp.Boolean("shuffle"), **kwargs)


def test_search_writes_a_run_per_trial_with_hparams(tmp_path):
    x = np.random.default_rng(0).random((16, 3), dtype="float32")
    y = x.sum(axis=1, keepdims=True)
    log_dir = str(tmp_path / "tb_logs")
    tuner = kt.RandomSearch(_HyperModel(), "val_loss", max_trials=2, executions_per_trial=1,
                            directory=str(tmp_path), verbose=0)
    tuner.search(x, y, epochs=2, validation_split=0.25, verbose=0,
                 callbacks=[keras.callbacks.TensorBoard(log_dir)])
    trials = tuner.oracle.trials
    assert sorted(os.listdir(log_dir)) == sorted(trials)
    for trial_id, trial in trials.items():
        run = os.path.join(log_dir, trial_id, "execution0")
        start = read_run(run)[1].summary.value[0]
        info = plugin_hparams_pb2.HParamsPluginData.FromString(
            start.metadata.plugin_data.content
        ).session_start_info
        assert info.group_name == trial_id
        assert info.hparams["units"].number_value == trial.hyperparameters.values["units"]
        assert info.hparams["act"].string_value == trial.hyperparameters.values["act"]
        assert info.hparams["shuffle"].bool_value == trial.hyperparameters.values["shuffle"]
        train = {(e.step, v.tag): v.tensor.float_val[0]
                 for e in read_run(os.path.join(run, "train")) for v in e.summary.value}
        assert set(train) >= {(0, "epoch_loss"), (1, "epoch_loss"), (1, "epoch_mae")}
        validation = {(e.step, v.tag): v.tensor.float_val[0]
                      for e in read_run(os.path.join(run, "validation")) for v in e.summary.value}
        # The objective the oracle recorded is the best epoch's val_loss.
        assert trial.score == pytest.approx(
            min(validation[(0, "epoch_loss")], validation[(1, "epoch_loss")]), rel=1e-5
        )


def test_callback_rejects_a_bad_update_freq():
    with pytest.raises(ValueError, match="update_freq.*Received: update_freq='sometimes'"):
        kt.callbacks.TensorBoard("logs", update_freq="sometimes")
