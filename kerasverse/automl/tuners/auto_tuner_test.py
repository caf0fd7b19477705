"""AutoTuner's checkpoint: the best epoch's weights, written once when training ends."""

import keras
import numpy as np

from kerasverse.automl.tuners.auto_tuner import _best_weights_callback
from kerasverse.tuner.engine.objective import Objective


def _model():
    inputs = keras.Input((2,))
    return keras.Model(inputs, keras.layers.Dense(1)(inputs))


def test_the_file_holds_the_best_epoch_and_the_model_keeps_its_last(tmp_path):
    path = str(tmp_path / "checkpoint.weights.h5")
    model = _model()
    callback = _best_weights_callback(Objective("val_loss", "min"), path)
    callback.set_model(model)
    epochs = [np.full((2, 1), 1.0), np.full((2, 1), 2.0), np.full((2, 1), 3.0), np.full((2, 1), 4.0)]
    for epoch, (kernel, val_loss) in enumerate(zip(epochs, [0.5, 0.3, float("nan"), 0.4])):
        model.layers[1].kernel.assign(kernel)
        callback.on_epoch_end(epoch, {"val_loss": val_loss})
    callback.on_train_end()
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(model.layers[1].kernel), epochs[3])
    loaded = _model()
    loaded.load_weights(path)
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(loaded.layers[1].kernel), epochs[1])
