"""`AutoTuner`: the `kerasverse.tuner.Tuner` that AutoModel searches with."""

import json
import os
import time

from kerasverse.tuner import errors
from kerasverse.tuner.engine import tuner_utils
from kerasverse.tuner.engine.tuner import Tuner


def _time_limit_callback(deadline):
    import keras

    class TimeLimit(keras.callbacks.Callback):
        """Stops the trial's training at the deadline (its best epoch so far is kept)."""

        def on_epoch_end(self, epoch, logs=None):
            if time.time() >= deadline:
                self.model.stop_training = True

    return TimeLimit()


def _best_weights_callback(objective, path):
    import keras

    class BestWeights(keras.callbacks.Callback):
        """Keeps the best epoch's weights (the last epoch's when the
        objective is not in the logs) and saves them to `path` at the end."""

        def __init__(self):
            super().__init__()
            self.best_value = None
            self.best_weights = None

        def on_epoch_end(self, epoch, logs=None):
            logs = logs or {}
            if objective.has_value(logs):
                value = float(objective.get_value(logs))
                if value != value and self.best_weights is not None:
                    return  # NaN: keep what was kept.
                if value == value and self.best_value is not None and not objective.better_than(value, self.best_value):
                    return
                self.best_value = value if value == value else None
            self.best_weights = self.model.get_weights()

        def on_train_end(self, logs=None):
            if self.best_weights is None:
                return
            last = self.model.get_weights()
            self.model.set_weights(self.best_weights)
            self.model.save_weights(path)
            self.model.set_weights(last)
            self.best_weights = None

    return BestWeights()


class AutoTuner(Tuner):
    """A `kerasverse.tuner.Tuner` over an AutoModel `Graph`.

    On top of `Tuner` (storage, pruning, workers, report): `epochs=None`
    means up to 1000 epochs with early stopping (patience 10), a
    `time_limit` stops the search cleanly (no new trial starts after it, the
    running trial stops at its next epoch end, keeping its best epoch), and
    each trial records its parameter count for the leaderboard. The search
    space is discovered by one build with default values (as AutoKeras; the
    trials reveal the conditional branches).

    Subclasses pick the oracle: `Greedy`, `RandomSearch`, `Hyperband`,
    `BayesianOptimization`.

    Example:

    ```python
    class MyTuner(ak.RandomSearch):
        def on_trial_end(self, trial):
            super().on_trial_end(trial)
            print(trial.trial_id, trial.score)
    ```
    """

    _deadline = None

    def _populate_initial_space(self):
        hp = self.oracle.get_space()
        self.hypermodel.declare_hyperparameters(hp)
        try:
            self._activate_all_conditions_build(hp)
        except errors.FatalError:
            raise
        except Exception:  # The trials report the error.
            pass
        self.oracle.update_space(hp)

    def search(self, *fit_args, epochs=None, callbacks=None, time_limit=None, **fit_kwargs):
        import keras

        callbacks = list(callbacks or [])
        if epochs is None:
            epochs = 1000
            if not any(isinstance(c, keras.callbacks.EarlyStopping) for c in callbacks):
                callbacks.append(keras.callbacks.EarlyStopping(patience=10, min_delta=1e-4))
        self._deadline = None if time_limit is None else time.time() + time_limit
        if self._deadline is not None:
            callbacks.append(_time_limit_callback(self._deadline))
        return super().search(*fit_args, epochs=epochs, callbacks=callbacks, **fit_kwargs)

    def pre_create_trial(self):
        if self._deadline is not None and time.time() >= self._deadline:
            # No trial starts after the time limit: the oracle sees the budget as spent.
            self.oracle.max_trials = len(self.oracle.trials)

    def _build_and_fit_model(self, trial, *args, **kwargs):
        hp = trial.hyperparameters
        model = self._try_build(hp)
        with open(os.path.join(self.get_trial_dir(trial.trial_id), "automl_trial.json"), "w") as file:
            json.dump({"params": int(model.count_params())}, file)
        return self.hypermodel.fit(hp, model, *args, **kwargs)

    def _trial_callbacks(self, trial, execution):
        """The tuner's trial callback writes the checkpoint at every better
        epoch (an h5 file: 50-100 ms each, as long as an epoch of a small
        model); here it only reports the epochs (and pruning), and the best
        epoch's weights are kept in memory and written once, when the
        training ends (stopped early, pruned or at its last epoch)."""
        callbacks = tuner_utils.make_callbacks(self, trial, execution, None)
        if execution == 0:
            callbacks.append(_best_weights_callback(self.oracle.objective, self._checkpoint_path(trial.trial_id)))
        return callbacks

    def build_best_model(self):
        """A fresh (untrained) model of the best trial's hyperparameters."""
        best = self.oracle.get_best_trials(1)
        if not best:
            raise RuntimeError(
                "No trial completed, so there is no best model. Look at the failed trials' "
                "messages with `leaderboard()` or `tuner.results_summary()`."
            )
        return self._try_build(best[0].hyperparameters), best[0]
