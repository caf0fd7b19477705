"""A customized AutoModel: functional style, two inputs, two heads, a user block,
a crashing trial, resume on the same directory, and a time limit."""

import time

import keras
import numpy as np
import pytest

import kerasverse.automl as ak


class ExplodingBlock(ak.Block):
    """A user block: a Dense layer, or (explode=True) an error, like a trial out of memory."""

    def build(self, hp, inputs=None):
        if hp.Boolean("explode", default=False):
            raise MemoryError("simulated out of memory")
        units = hp.Choice("units", [8, 16], default=8)
        return keras.layers.Dense(units, activation="relu")(inputs[0])


class ScriptedTuner(ak.Greedy):
    """Greedy with the first two trials given: the first one crashes."""

    def __init__(self, **kwargs):
        super().__init__(initial_hps=[{"exploding_block_1/explode": True}, {"exploding_block_1/explode": False}],
                         **kwargs)


def _graph():
    numbers, image = ak.Input(), ak.ImageInput()
    left = ExplodingBlock()(ak.Normalization()(numbers))
    right = ak.SpatialReduction(reduction_type="global_avg")(image)
    merged = ak.Merge(merge_type="concatenate")([left, right])
    return [numbers, image], [ak.ClassificationHead()(merged), ak.RegressionHead()(ak.DenseBlock(num_layers=1)(merged))]


def _data(n=120, seed=0):
    rng = np.random.default_rng(seed)
    numbers = rng.normal(size=(n, 4)).astype("float32")
    images = rng.normal(size=(n, 6, 6, 1)).astype("float32")
    labels = np.where(numbers[:, 0] > 0, "up", "down")
    target = numbers[:, 1] * 2 + images.mean(axis=(1, 2, 3))
    return [numbers, images], [labels, target]


@pytest.mark.slow
def test_crashing_trial_is_recorded_and_the_search_goes_on_then_resumes(tmp_path):
    inputs, outputs = _graph()
    model = ak.AutoModel(inputs, outputs, tuner=ScriptedTuner, max_trials=2, directory=str(tmp_path),
                         project_name="custom", overwrite=True, seed=0)
    x, y = _data()
    model.fit(x, y, epochs=1, batch_size=16, verbose=0)
    board = model.leaderboard()
    assert sorted(board["status"]) == ["COMPLETED", "FAILED"]
    labels, values = model.predict(x, verbose=0)
    assert set(labels) <= {"up", "down"} and values.shape == (120,)
    # Resume on the same directory with a larger budget: only the new trial runs.
    inputs, outputs = _graph()
    resumed = ak.AutoModel(inputs, outputs, tuner=ScriptedTuner, max_trials=3, directory=str(tmp_path),
                           project_name="custom", overwrite=False, seed=0)
    resumed.fit(x, y, epochs=1, batch_size=16, verbose=0)
    board = resumed.leaderboard()
    assert len(board) == 3 and list(board["status"]).count("FAILED") == 1


class SlowEpochs(keras.callbacks.Callback):
    """Makes every epoch take at least `seconds`, so the time limit, not the
    machine's speed, decides how many trials run (pruned trials of this small
    task take ~0.1 s: 50 of them can fit in the limit on a fast machine)."""

    def __init__(self, seconds):
        super().__init__()
        self.seconds = seconds

    def on_epoch_end(self, epoch, logs=None):
        time.sleep(self.seconds)


@pytest.mark.slow
def test_time_limit_stops_cleanly_and_keeps_the_best(tmp_path):
    x, y = _data(seed=1)
    reg = ak.StructuredDataRegressor(max_trials=50, directory=str(tmp_path), overwrite=True, seed=1)
    # Every trial trains >= 11 epochs (early stopping, patience 10) of >= 0.25 s:
    # the 3 s limit ends the search within the first two trials.
    reg.fit(x[0], y[1], epochs=None, time_limit=3, callbacks=[SlowEpochs(0.25)], verbose=0)
    trials = list(reg.tuner.oracle.trials.values())
    assert 1 <= len(trials) <= 2, [t.status for t in trials]
    assert trials[0].status == "COMPLETED"
    assert reg.predict(x[0], verbose=0).shape == (120,)
