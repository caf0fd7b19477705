"""TimeseriesForecaster: windows, horizons, and the seasonal-naive baseline."""

import numpy as np
import pytest

import kerasverse.automl as ak


def _series(n=600, seed=0):
    rng = np.random.default_rng(seed)
    steps = np.arange(n)
    return 0.005 * steps + np.sin(2 * np.pi * steps / 12) + rng.normal(0, 0.1, n)


@pytest.mark.slow
def test_forecaster_learns_the_series(tmp_path):
    series = _series()
    cut, lookback = 480, 24
    forecaster = ak.TimeseriesForecaster(lookback=lookback, predict_from=1, predict_until=2, max_trials=1,
                                         directory=str(tmp_path), overwrite=True, seed=0)
    forecaster.fit(series[:cut, None], series[:cut], epochs=30, verbose=0)
    predicted = forecaster.predict(series[cut - lookback: -2, None], verbose=0)
    assert predicted.shape == (len(series) - 2 - cut + 1, 2)
    # Row i forecasts steps cut + i (predict_from=1 after the window ending at cut + i - 1).
    truth = series[cut: cut + len(predicted)]
    error = np.mean(np.abs(predicted[:, 0] - truth))
    assert error < 0.5 * np.mean(np.abs(series[:cut].mean() - truth))  # far better than the mean
    # (Against seasonal-naive and a linear AR: benchmarks/bench_automl.py, quoted in docs/automl.md.)


def test_windows_and_targets_are_aligned(tmp_path):
    forecaster = ak.TimeseriesForecaster(lookback=3, predict_from=2, predict_until=3, max_trials=1,
                                         directory=str(tmp_path))
    x = np.arange(10, dtype="float32")[:, None]
    rows, targets = forecaster._windows_targets(x, np.arange(10) * 10)
    assert len(rows) == 7 and targets[0].tolist() == [20, 30] and targets[-1].tolist() == [80, 90]
    with pytest.raises(ValueError, match=r"too short for lookback=3 and predict_until=3\. Received: x with 5 rows"):
        forecaster._windows_targets(x[:5], np.arange(5))


def _ar_series(n=300, seed=0):
    """A noisy AR(2) target plus an exogenous feature it depends on."""
    rng = np.random.default_rng(seed)
    feature = rng.normal(size=n)
    series = np.zeros(n)
    for t in range(2, n):
        series[t] = 1.2 * series[t - 1] - 0.5 * series[t - 2] + 0.3 * feature[t - 1] + 2.0 + rng.normal(0, 0.1)
    return np.c_[series, feature], series


def test_linear_start_is_the_least_squares_autoregression(tmp_path):
    from kerasverse.automl.blocks.timeseries_block import linear_start

    x, y = _ar_series()
    lookback = 4
    forecaster = ak.TimeseriesForecaster(lookback=lookback, predict_from=1, predict_until=2, max_trials=1,
                                         directory=str(tmp_path), overwrite=True, seed=0)
    forecaster.fit(x, y, epochs=1, verbose=0)
    rows, targets = forecaster._windows_targets(x, y)
    windows = forecaster._transform([rows])[0]
    targets = targets[lookback - 1:]
    # The oracle: numpy's least squares of the targets on the raw windows and a constant.
    design = np.c_[windows.reshape(len(windows), -1), np.ones(len(windows))]
    coef, *_ = np.linalg.lstsq(design, targets, rcond=None)
    model = forecaster.model
    assert linear_start(model, windows, targets, penalty=0.0) == 0.0
    np.testing.assert_allclose(model.predict(windows, verbose=0), design @ coef, atol=2e-3)
    # Without a given penalty one is chosen, and the fit is still the data's autoregression.
    penalty = linear_start(model, windows[:200], targets[:200], validation_data=(windows[200:], targets[200:]))
    assert penalty is not None
    assert np.mean((model.predict(windows[200:], verbose=0) - targets[200:]) ** 2) < 1.2 * np.mean(
        (design[200:] @ coef - targets[200:]) ** 2)


def _logistic_series(n=300, seed=0):
    """A noisy logistic map: nonlinear, a linear autoregression forecasts it badly."""
    rng = np.random.default_rng(seed)
    series = np.full(n, 0.3)
    for t in range(1, n):
        series[t] = np.clip(3.7 * series[t - 1] * (1 - series[t - 1]) + rng.normal(0, 0.01), 0.01, 0.99)
    return series


def _least_squares_forecast(series, cut, lookback):
    """numpy's least-squares AR(lookback) fitted on the windows before `cut`,
    forecasting each step from `cut` on (the oracle of the linear start)."""
    windows = np.lib.stride_tricks.sliding_window_view(series[:-1], lookback)
    design = np.c_[windows, np.ones(len(windows))]
    targets = series[lookback:]
    coef, *_ = np.linalg.lstsq(design[: cut - lookback], targets[: cut - lookback], rcond=None)
    return design[cut - lookback:] @ coef, targets[cut - lookback:]


def test_the_search_keeps_the_linear_start_on_a_linear_series(tmp_path):
    x, y = _ar_series(n=400)
    cut, lookback = 300, 4
    forecaster = ak.TimeseriesForecaster(lookback=lookback, max_trials=1, directory=str(tmp_path),
                                         overwrite=True, seed=0)
    forecaster.fit(x[:cut, :1], y[:cut], epochs=3, verbose=0)
    assert forecaster.tuner.best_is_linear()
    predicted = forecaster.predict(x[cut - lookback: -1, :1], verbose=0).reshape(-1)
    least_squares, truth = _least_squares_forecast(y, cut, lookback)
    # The ridge start (its penalty chosen on the validation windows) is about as good as least squares.
    assert np.mean((predicted - truth) ** 2) < 1.1 * np.mean((least_squares - truth) ** 2)


def test_a_seeded_search_repeats_and_keeps_a_nonlinear_model(tmp_path):
    series = _logistic_series()
    cut, lookback = 240, 4
    predictions = []
    for run in range(2):
        forecaster = ak.TimeseriesForecaster(lookback=lookback, max_trials=1, directory=str(tmp_path / str(run)),
                                             overwrite=True, seed=3)
        forecaster.fit(series[:cut, None], series[:cut], epochs=5, verbose=0)
        assert not forecaster.tuner.best_is_linear()  # training clearly beat the linear start
        predictions.append(forecaster.predict(series[cut - lookback: -1, None], verbose=0).reshape(-1))
    np.testing.assert_allclose(predictions[0], predictions[1], rtol=1e-5, atol=1e-6)
    least_squares, truth = _least_squares_forecast(series, cut, lookback)
    assert np.mean((predictions[0] - truth) ** 2) < 0.5 * np.mean((least_squares - truth) ** 2)
