import keras
import numpy as np

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
