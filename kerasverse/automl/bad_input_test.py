"""Bad input is refused with a clear ValueError before any trial starts."""

import numpy as np
import pandas as pd
import pytest

import kerasverse.automl as ak

pytestmark = pytest.mark.host


def _no_trials(model):
    assert len(model.tuner.oracle.trials) == 0


def test_mismatched_lengths(tmp_path):
    clf = ak.StructuredDataClassifier(max_trials=1, directory=str(tmp_path))
    with pytest.raises(ValueError, match=r"one target per sample\. Received: x with 10 rows and y with 9 rows"):
        clf.fit(np.zeros((10, 3)), np.arange(9) % 2, epochs=1)
    _no_trials(clf)


def test_wrong_dimensions_for_images(tmp_path):
    clf = ak.ImageClassifier(max_trials=1, directory=str(tmp_path))
    with pytest.raises(ValueError, match=r"ImageInput expects images .* Received: x with shape \(20, 64\)"):
        clf.fit(np.zeros((20, 64)), np.arange(20) % 2, epochs=1)
    _no_trials(clf)


def test_missing_csv_column(tmp_path):
    path = tmp_path / "train.csv"
    pd.DataFrame({"a": [1, 2, 3], "b": [0, 1, 0]}).to_csv(path, index=False)
    clf = ak.StructuredDataClassifier(max_trials=1, directory=str(tmp_path))
    with pytest.raises(ValueError, match=r"target column\(s\) \['label'\] are not in the data\. Received: y='label'"):
        clf.fit(x=str(path), y="label", epochs=1)
    with pytest.raises(ValueError, match=r"CSV file does not exist\. Received: x="):
        clf.fit(x=str(tmp_path / "nope.csv"), y="label", epochs=1)
    _no_trials(clf)


def test_nan_labels(tmp_path):
    reg = ak.StructuredDataRegressor(max_trials=1, directory=str(tmp_path))
    y = np.arange(10, dtype=float)
    y[3] = np.nan
    with pytest.raises(ValueError, match=r"NaN values \(1 rows, first at index 3\).*Received: y"):
        reg.fit(np.zeros((10, 2)), y, epochs=1)
    _no_trials(reg)


def test_one_class_targets(tmp_path):
    clf = ak.StructuredDataClassifier(max_trials=1, directory=str(tmp_path))
    with pytest.raises(ValueError, match=r"at least two classes.*Received: y with only the class\(es\) \['a'\]"):
        clf.fit(np.zeros((10, 2)), np.array(["a"] * 10), epochs=1)
    _no_trials(clf)


def test_time_limit_zero_and_bad_arguments(tmp_path):
    clf = ak.StructuredDataClassifier(max_trials=1, directory=str(tmp_path))
    x, y = np.zeros((10, 2)), np.arange(10) % 2
    with pytest.raises(ValueError, match=r"`time_limit` must be a positive number.*Received: time_limit=0"):
        clf.fit(x, y, epochs=1, time_limit=0)
    with pytest.raises(ValueError, match=r"needs validation data.*Received: validation_split=0"):
        clf.fit(x, y, epochs=1, validation_split=0)
    with pytest.raises(ValueError, match=r"`tuner` must be one of .*Received: tuner='genetic'"):
        ak.StructuredDataClassifier(tuner="genetic", directory=str(tmp_path))
    with pytest.raises(ValueError, match=r"pretrained=True.*Received: pretrained=True"):
        ak.ResNetBlock(pretrained=True)
    _no_trials(clf)


def test_wrong_text_input(tmp_path):
    clf = ak.TextClassifier(max_trials=1, directory=str(tmp_path))
    with pytest.raises(ValueError, match=r"Text input must hold strings\. Received: x\[0\]=0 of type int"):
        clf.fit(np.arange(10), np.arange(10) % 2, epochs=1)
    _no_trials(clf)
