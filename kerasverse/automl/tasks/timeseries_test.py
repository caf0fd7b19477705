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
