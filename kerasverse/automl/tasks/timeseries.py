"""`TimeseriesForecaster`: AutoKeras 1.x's forecaster on windows of a series."""

import numpy as np

from kerasverse.automl import blocks
from kerasverse.automl import nodes
from kerasverse.automl.auto_model import AutoModel
from kerasverse.automl.tasks._csv import read_xy
from kerasverse.automl.tuners.timeseries_forecaster_tuner import (
    TimeseriesForecasterTuner,
)


class TimeseriesForecaster(AutoModel):
    """Forecasts `y` from windows of the series `x` (AutoKeras 1.x's API).

    The window of `x` rows `[t - lookback + 1, t]` predicts `y` at steps
    `t + predict_from` ... `t + predict_until` (the docstring semantics of
    AutoKeras 1.x: N is the window's last step). `x` may hold past values of
    `y` as a feature. `predict(x)` gives one forecast per full window of `x`:
    an array `(windows, horizon)` (horizon = predict_until - predict_from + 1),
    the last row being the forecast after the last step of `x`.

    With the default tuner (`TimeseriesForecasterTuner`) every model starts
    from the ridge autoregression of its training windows (closed form, the
    penalty chosen on the validation windows) and learns a nonlinear part on
    top; a trial whose training does not beat that linear start on the
    validation windows by more than one standard error keeps the start, and
    when the best trial did, the final model is the linear start fitted on
    train + validation (no training). `seed` also seeds the trials' weights.

    Args:
        output_dim: Unused (the horizon times the target columns).
        column_names, column_types: see `StructuredDataInput`.
        lookback: Steps in each input window (required).
        predict_from: The first forecast step after the window (default 1).
        predict_until: The last forecast step (default: predict_from).
        loss, metrics: see `RegressionHead`.
        project_name: default "time_series_forecaster".
        max_trials, directory, objective, tuner, overwrite, seed,
        max_model_size, **kwargs: see `AutoModel`. The validation split is
            the end of the series (time order is kept).

    Example:

    ```python
    forecaster = ak.TimeseriesForecaster(lookback=24, predict_from=1, predict_until=3, max_trials=1)
    forecaster.fit(x=series_features, y=series, epochs=20)
    forecaster.predict(series_features[-24:])  # the next 3 steps, shape (1, 3)
    ```
    """

    def __init__(self, output_dim=None, column_names=None, column_types=None, lookback=None, predict_from=1,
                 predict_until=None, loss="mean_squared_error", metrics=None, project_name="time_series_forecaster",
                 max_trials=100, directory=None, objective="val_loss", tuner=None, overwrite=False, seed=None,
                 max_model_size=None, **kwargs):
        if isinstance(predict_from, bool) or not isinstance(predict_from, int) or predict_from < 1:
            raise ValueError(f"`predict_from` must be an int >= 1. Received: predict_from={predict_from!r}.")
        predict_until = predict_from if predict_until is None else predict_until
        if isinstance(predict_until, bool) or not isinstance(predict_until, int) or predict_until < predict_from:
            raise ValueError(
                f"`predict_until` must be an int >= predict_from ({predict_from}). Received: predict_until={predict_until!r}."
            )
        self.lookback = lookback
        self.predict_from = predict_from
        self.predict_until = predict_until
        super().__init__(
            inputs=nodes.TimeseriesInput(lookback=lookback, column_names=column_names, column_types=column_types),
            # Unscaled output: standardized targets extrapolated a trend worse
            # (bench_automl.py's series: MAE 0.58-1.07 instead of 0.28-0.46).
            outputs=blocks.RegressionHead(loss=loss, metrics=metrics, standardize_targets=False),
            project_name=project_name, max_trials=max_trials, directory=directory, objective=objective,
            tuner=tuner or TimeseriesForecasterTuner, overwrite=overwrite, seed=seed,
            max_model_size=max_model_size, **kwargs,
        )

    @property
    def horizon(self):
        return self.predict_until - self.predict_from + 1

    def _windows_targets(self, x, y, name="x"):
        from kerasverse.automl.auto_model import take_rows

        x, y = read_xy(x, y, name)
        y = np.asarray(y)
        if hasattr(y, "ndim") and y.dtype.kind not in "biuf":
            raise ValueError(f"Forecast targets must be numbers. Received: y with dtype {y.dtype}.")
        rows = len(x)
        if len(y) != rows:
            raise ValueError(
                f"`x` and `y` must have one row per time step. Received: x with {rows} rows and y with {len(y)} rows."
            )
        usable = rows - self.predict_until
        if usable < self.lookback:
            raise ValueError(
                f"The series has {rows} steps: too short for lookback={self.lookback} and "
                f"predict_until={self.predict_until}. Received: x with {rows} rows."
            )
        steps = np.arange(usable)[:, None] + np.arange(self.predict_from, self.predict_until + 1)[None, :]
        targets = y[steps] if y.ndim == 1 else y[steps].reshape(usable, -1)
        return take_rows(x, np.arange(usable)), targets

    def fit(self, x=None, y=None, validation_split=0.2, validation_data=None, **kwargs):
        """Searches on the windows of `x` and the targets ahead of each window."""
        x, y = self._windows_targets(x, y)
        if validation_data is not None:
            validation_data = self._windows_targets(*validation_data, name="x_val")
        return super().fit(x=x, y=y, validation_split=validation_split, validation_data=validation_data, **kwargs)

    def _final_fit(self, train_arrays, train_targets, val, split, epochs, *args):
        if not isinstance(self.tuner, TimeseriesForecasterTuner):
            return super()._final_fit(train_arrays, train_targets, val, split, epochs, *args)
        # The refitted model starts from the linear fit of the rows it trains on.
        x, y = train_arrays[0], train_targets[0]
        if split and val is not None:
            x, y = np.concatenate([x, val[0]]), np.concatenate([y, val[1]])
        with self.tuner.final_fit(x, y):
            if self.tuner.best_is_linear():
                # The search found nothing clearly better than the linear start:
                # the final model is that start, fitted on the same rows, untrained.
                self._model, _ = self.tuner.build_best_model()
                return None
            return super()._final_fit(train_arrays, train_targets, val, split, epochs, *args)

    def predict(self, x, **kwargs):
        """One forecast per full window of `x`: `(windows, horizon)`."""
        x, _ = read_xy(x, None)
        return super().predict(x, **kwargs)

    def evaluate(self, x, y=None, **kwargs):
        x, y = self._windows_targets(x, y)
        return super().evaluate(x, y, **kwargs)
