"""Helpers shared by the tuners: results conversion and the trial callbacks."""

import collections
import math
import numbers
import os
import statistics
import warnings

import numpy as np

from kerasverse.tuner import errors


def _is_history(results):
    return hasattr(results, "history") and isinstance(results.history, dict)


def validate_trial_results(results, objective, func_name):
    """Raises a fatal error when `results` is not a supported return value."""
    if isinstance(results, list):
        for item in results:
            validate_trial_results(item, objective, func_name)
        return
    if isinstance(results, (numbers.Real, np.floating, np.integer)) and not isinstance(results, bool):
        return
    if _is_history(results):
        return
    if isinstance(results, dict):
        if objective.name not in results and not objective.has_value(results):
            raise errors.FatalValueError(
                f"Expected the returned dictionary from {func_name} to have the specified "
                f"objective, {objective.name}, as one of the keys. Received: {results}."
            )
        return
    raise errors.FatalTypeError(
        f"The return value of {func_name} should be one of: a float, a dict of metrics, "
        "a keras History, or a list of these (averaged). "
        f"Received: {results!r} of type {type(results).__name__}."
    )


def _best_epoch_metrics(history, objective):
    epochs = collections.defaultdict(dict)
    for name, values in history.history.items():
        for epoch, value in enumerate(values):
            epochs[epoch][name] = float(value)
    best_epoch = None
    for epoch, metrics in sorted(epochs.items()):
        if objective.has_value(metrics):
            metrics[objective.name] = objective.get_value(metrics)
            if best_epoch is None or objective.better_than(
                metrics[objective.name], epochs[best_epoch][objective.name]
            ):
                best_epoch = epoch
    if best_epoch is None:
        best_epoch = max(epochs) if epochs else 0
    return dict(epochs.get(best_epoch, {})), best_epoch


def convert_to_metrics_dict(results, objective):
    """A metrics dict from a float, dict, History or list of them (averaged)."""
    if isinstance(results, list):
        dicts = [convert_to_metrics_dict(item, objective) for item in results]
        names = set().union(*dicts) if dicts else set()
        return {
            name: float(np.mean([d[name] for d in dicts if name in d])) for name in names
        }
    if isinstance(results, (numbers.Real, np.floating, np.integer)):
        return {objective.name: float(results)}
    if isinstance(results, dict):
        metrics = {k: float(v) for k, v in results.items()}
        if objective.name not in metrics and objective.has_value(metrics):
            metrics[objective.name] = objective.get_value(metrics)
        return metrics
    if _is_history(results):
        return _best_epoch_metrics(results, objective)[0]
    return {}


def get_best_step(results, objective):
    """The best epoch of a History (mean over a list), else 0."""
    if isinstance(results, list):
        steps = [get_best_step(item, objective) for item in results]
        return int(statistics.mean(steps)) if steps else 0
    if _is_history(results):
        return _best_epoch_metrics(results, objective)[1]
    return 0


def is_nan(value):
    return isinstance(value, float) and math.isnan(value)


def make_callbacks(tuner, trial, execution, checkpoint_path):
    """The Keras callbacks the tuner adds to `fit`: hooks, intermediate values
    with pruning, and the best-epoch checkpoint."""
    import keras

    objective = tuner.oracle.objective

    class TunerCallback(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.best_value = None

        # A custom training loop in `HyperModel.fit` assigns the model
        # (`callback.model = model`, keras.io's "custom training loop"
        # guide); Keras 3's `Callback.model` is read-only.
        @property
        def model(self):
            return self._model

        @model.setter
        def model(self, model):
            self._model = model

        def on_epoch_begin(self, epoch, logs=None):
            tuner.on_epoch_begin(trial, self.model, epoch, logs=logs)

        def on_batch_begin(self, batch, logs=None):
            tuner.on_batch_begin(trial, self.model, batch, logs)

        def on_batch_end(self, batch, logs=None):
            tuner.on_batch_end(trial, self.model, batch, logs)

        def on_epoch_end(self, epoch, logs=None):
            tuner.on_epoch_end(trial, self.model, epoch, logs=logs)
            logs = logs or {}
            if not objective.has_value(logs):
                if execution == 0 and checkpoint_path:
                    self.model.save_weights(checkpoint_path)
                return
            value = float(objective.get_value(logs))
            if execution == 0 and checkpoint_path and (
                self.best_value is None or objective.better_than(value, self.best_value)
            ):
                self.best_value = value
                self.model.save_weights(checkpoint_path)
            if execution == 0:
                if tuner.oracle.report_intermediate_value(trial.trial_id, value, step=epoch):
                    self.model.stop_training = True

    return [TunerCallback()]


KERASTUNER_VARIABLES = ("KERASTUNER_ORACLE_IP", "KERASTUNER_ORACLE_PORT")


def warn_if_kerastuner_variables(environ=None):
    """Warns when keras_tuner's chief/worker address variables are set: they
    are not read (the study's storage replaces the gRPC oracle); says what to
    do. `KERASTUNER_TUNER_ID` is read: it names the tuner (`tuner_id`)."""
    environ = os.environ if environ is None else environ
    found = [name for name in KERASTUNER_VARIABLES if name in environ]
    if not found:
        return False
    tuner_id = environ.get("KERASTUNER_TUNER_ID")
    warnings.warn(
        f"{', '.join(found)} {'is' if len(found) == 1 else 'are'} set, but kerasverse.tuner "
        "has no gRPC chief/worker and does not read the KERASTUNER_ORACLE_* variables. "
        "Instead run `search(..., workers=N)` (local processes), `search(..., workers=N, "
        "executor='ray', ray_address=...)` (a Ray cluster), or start this script on each "
        "machine with the same `storage='postgresql+psycopg://...'` (every process, the "
        "chief included, then runs trials; KERASTUNER_TUNER_ID or `tuner_id=` names each). "
        "Received: "
        + ", ".join(f"{name}={environ[name]!r}" for name in found)
        + ("" if tuner_id is None else f", KERASTUNER_TUNER_ID={tuner_id!r}"),
        stacklevel=3,
    )
    return True
