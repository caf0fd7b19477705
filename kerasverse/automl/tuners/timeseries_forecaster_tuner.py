"""`TimeseriesForecasterTuner`: the forecaster's greedy search, every model
starting from the closed-form linear autoregression of its training windows."""

import contextlib
import json
import os
import random

import numpy as np

from kerasverse.automl.blocks.timeseries_block import linear_start
from kerasverse.automl.tuners.greedy import Greedy

TIMESERIES_FORECASTER = [
    {
        "timeseries_block_1/block_type": "dense",
        "timeseries_block_1/dense_block_1/num_layers": 1,
        "timeseries_block_1/dense_block_1/use_batchnorm": False,
        "timeseries_block_1/dense_block_1/dropout": 0.0,
        "timeseries_block_1/dense_block_1/units_0": 64,
        "regression_head_1/dropout": 0.0,
        "optimizer": "adam",
        "learning_rate": 1e-2,
    },
]

TRIAL_FILE = "automl_trial.json"


@contextlib.contextmanager
def seeded(seed):
    """Seeds the generators Keras draws from when a layer has no seed of its
    own (Python's `random`: weight initializers and dropout; NumPy's: the
    batch order on JAX; torch's: the batch order on PyTorch) inside the
    block, and puts their states back after it. `seed=None` changes nothing.

    Example:

    ```python
    with seeded(0):
        model = build(hp)
        model.fit(x, y)
    ```
    """
    if seed is None:
        yield
        return
    import keras

    python_state, numpy_state = random.getstate(), np.random.get_state()
    with contextlib.ExitStack() as stack:
        if keras.backend.backend() == "torch":
            import torch

            devices = list(range(torch.cuda.device_count())) if torch.cuda.is_available() else []
            stack.enter_context(torch.random.fork_rng(devices=devices))
            torch.manual_seed(seed)
        random.seed(seed)
        np.random.seed(seed % 2**32)
        try:
            yield
        finally:
            random.setstate(python_state)
            np.random.set_state(numpy_state)


def clearly_better(predictions, baseline, targets):
    """Whether `predictions` have a lower mean squared error on `targets` than
    `baseline` by more than one standard error of the paired difference."""
    targets = np.asarray(targets, "float64").reshape(len(targets), -1)
    errors = np.mean((np.asarray(predictions, "float64").reshape(targets.shape) - targets) ** 2, axis=1)
    baseline_errors = np.mean((np.asarray(baseline, "float64").reshape(targets.shape) - targets) ** 2, axis=1)
    gains = baseline_errors - errors
    if len(gains) < 2:
        return bool(gains.mean() > 0)
    return bool(gains.mean() > gains.std(ddof=1) / np.sqrt(len(gains)))


class TimeseriesForecasterTuner(Greedy):
    """`Greedy` for `TimeseriesForecaster`: the forecaster's known-good first
    trials, and every model (each trial's, and the final refit) starts from
    the ridge autoregression of its training windows (`linear_start`: the
    output layer predicts exactly that linear fit, the nonlinear part starts
    at zero), its penalty chosen on the validation windows. A trial whose
    best epoch does not beat its start on the validation windows by more than
    one standard error (`clearly_better`) keeps the start: its checkpoint and
    score become the start's, and when it is the best trial the final model
    is the start fitted on train + validation, untrained (see
    `TimeseriesForecaster._final_fit`). With `seed`, a trial's weights,
    dropout and batch order are seeded too (`seed + 1 +` the trial number;
    the final refit: `seed`), so a search repeats.

    Args:
        initial_hps: Configurations tried first (default: the forecaster's).
        **kwargs: see `Greedy`.

    Example:

    ```python
    forecaster = ak.TimeseriesForecaster(lookback=24, seed=0)  # its default tuner
    forecaster.fit(series[:, None], series, epochs=30)
    ```
    """

    def __init__(self, initial_hps=None, **kwargs):
        super().__init__(initial_hps=TIMESERIES_FORECASTER if initial_hps is None else initial_hps, **kwargs)
        self._final_data = None

    def trial_seed(self, trial_id):
        """The seed of a trial's model (None without a tuner `seed`)."""
        if self.seed is None:
            return None
        return int(self.seed) + 1 + (int(trial_id) if str(trial_id).isdigit() else 0)

    def _build_and_fit_model(self, trial, *args, **kwargs):
        hp = trial.hyperparameters
        x = kwargs["x"] if "x" in kwargs else (args[0] if args else None)
        y = kwargs["y"] if "y" in kwargs else (args[1] if len(args) > 1 else None)
        validation = kwargs.get("validation_data")
        with seeded(self.trial_seed(trial.trial_id)):
            model = self._try_build(hp)
            penalty = linear_start(model, x, y, validation_data=validation)
            start = None
            if penalty is not None and validation is not None:
                start = self._start_facts(model, x, y, validation, kwargs.get("batch_size"))
            results = self.hypermodel.fit(hp, model, *args, **kwargs)
            linear_only = start is not None and self._keep_start(trial, model, validation, start)
            with open(os.path.join(self.get_trial_dir(trial.trial_id), TRIAL_FILE), "w") as file:
                json.dump({"params": int(model.count_params()), "linear_penalty": penalty,
                           "linear_only": linear_only}, file)
            # A trial that keeps its start scores as the start did.
            return start["metrics"] if linear_only else results

    @staticmethod
    def _start_facts(model, x, y, validation, batch_size):
        """The linear start's weights, validation predictions and metrics (as
        `fit` names them), before training."""
        metrics = model.evaluate(x, y, batch_size=batch_size, verbose=0, return_dict=True)
        val_metrics = model.evaluate(*validation, batch_size=batch_size, verbose=0, return_dict=True)
        metrics.update({f"val_{name}": value for name, value in val_metrics.items()})
        return {"weights": model.get_weights(), "metrics": {k: float(v) for k, v in metrics.items()},
                "predictions": model.predict(validation[0], batch_size=1024, verbose=0)}

    def _keep_start(self, trial, model, validation, start):
        """Whether the trial's best checkpoint fails to beat its linear start
        on the validation windows by more than one standard error; then the
        checkpoint becomes the start (and the final refit skips training)."""
        from kerasverse.tuner.engine.tuner import load_weights

        checkpoint = self._checkpoint_path(trial.trial_id)
        if not os.path.exists(checkpoint):
            return False
        load_weights(model, checkpoint)
        trained = model.predict(validation[0], batch_size=1024, verbose=0)
        if clearly_better(trained, start["predictions"], validation[1]):
            return False
        model.set_weights(start["weights"])
        model.save_weights(checkpoint)
        return True

    def _trial_facts(self, trial_id):
        path = os.path.join(self.get_trial_dir(trial_id), TRIAL_FILE)
        if not os.path.exists(path):
            return {}
        with open(path) as file:
            return json.load(file)

    def best_is_linear(self):
        """Whether the best trial kept its linear start (its training did not
        clearly beat it on the validation windows)."""
        best = self.oracle.get_best_trials(1)
        return bool(best) and bool(self._trial_facts(best[0].trial_id).get("linear_only"))

    @contextlib.contextmanager
    def final_fit(self, x, y):
        """Inside the block, `build_best_model` starts the linear path from
        `(x, y)` (with the best trial's penalty), under the tuner's `seed`."""
        self._final_data = (x, y)
        try:
            with seeded(self.seed):
                yield
        finally:
            self._final_data = None

    def build_best_model(self):
        model, best = super().build_best_model()
        if self._final_data is not None:
            linear_start(model, *self._final_data, penalty=self._trial_facts(best.trial_id).get("linear_penalty"))
        return model, best
