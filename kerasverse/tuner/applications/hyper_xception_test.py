import keras
import numpy as np
import pytest

import kerasverse.tuner as kt
from kerasverse.testing.test_case import TestCase
from kerasverse.tuner.applications import HyperXception


def _small_space():
    # keras_tuner's "fix a few, tune the rest": the hypermodel's own
    # declarations of these names take the fixed values.
    hp = kt.HyperParameters()
    hp.Fixed("conv2d_num_filters", 8)
    hp.Fixed("sep_num_filters", 16)
    hp.Fixed("num_residual_blocks", 1)
    return hp


class HyperXceptionTest(TestCase):
    def test_build_follows_the_hyperparameters(self):
        hp = _small_space()
        model = HyperXception(input_shape=(16, 16, 3), classes=3).build(hp)
        assert tuple(model.output.shape) == (None, 3)
        separable = [w for w in model.weights if "depthwise_kernel" in w.path]
        # One residual block and the exit block: two separable convs each.
        assert len(separable) == 4
        assert separable[-1].shape[-2] == 32  # The exit block doubles the filters.
        assert {"activation", "kernel_size", "pooling", "num_dense_layers", "dropout_rate",
                "dense_use_bn", "learning_rate"} <= set(hp.values)

    @pytest.mark.slow
    def test_tiny_search(self):
        x = np.random.default_rng(0).random((8, 16, 16, 3)).astype("float32")
        y = keras.utils.to_categorical(np.arange(8) % 3, 3)
        tuner = kt.RandomSearch(
            HyperXception(input_shape=(16, 16, 3), classes=3), "loss", max_trials=1, seed=0,
            hyperparameters=_small_space(), directory=self.get_temp_dir(), project_name="x",
            verbose=0,
        )
        tuner.search(x, y, epochs=1, verbose=0)
        trial = next(iter(tuner.oracle.trials.values()))
        assert trial.status == "COMPLETED" and np.isfinite(trial.score)
        assert trial.hyperparameters.get("sep_num_filters") == 16
        best = tuner.get_best_models(1)[0]
        assert tuple(best.predict(x, verbose=0).shape) == (8, 3)

    def test_bad_arguments_raise(self):
        with pytest.raises(ValueError, match="Received: classes=0"):
            HyperXception(input_shape=(8, 8, 3), classes=0)
