"""`predict` gives labels back in the form they came in (autokeras 3.0 turned multi-class integers
into strings), and `max_model_size` fails oversized trials."""

import numpy as np
import pytest
from sklearn.datasets import load_wine

import kerasverse.automl as ak


def _wine():
    x, y = load_wine(return_X_y=True)
    order = np.random.default_rng(0).permutation(len(y))  # the file is sorted by class
    x, y = x[order], y[order]
    return ((x - x.mean(axis=0)) / x.std(axis=0)).astype("float32"), y


def _fit_predict(tmp_path, y, **kwargs):
    x, _ = _wine()
    clf = ak.StructuredDataClassifier(max_trials=1, directory=str(tmp_path), overwrite=True, seed=0, **kwargs)
    clf.fit(x, y, epochs=10, verbose=0)
    return clf, clf.predict(x, verbose=0)


LABEL_FORMS = {
    "int": lambda y: y,
    "int_column": lambda y: y.reshape(-1, 1),
    "string": lambda y: np.array(["barolo", "grignolino", "barbera"])[y],
    "one_hot": lambda y: np.eye(3, dtype="float32")[y],
    "binary_int": lambda y: (y == 0).astype("int64"),
}


@pytest.mark.host
@pytest.mark.parametrize("form", sorted(LABEL_FORMS))
def test_labels_round_trip_in_the_form_they_came_in(form):
    """The head's host-side label code: targets -> training encoding -> outputs -> labels."""
    _, classes = _wine()
    y = LABEL_FORMS[form](classes)
    head = ak.ClassificationHead()
    head.fit_targets(y)
    encoded = head.encode_targets(y)
    # Outputs as a trained model gives them: the right class most likely, not certain.
    outputs = 0.1 + 0.8 * encoded if encoded.shape[-1] > 1 else 0.2 + 0.6 * encoded
    for decoder in (head, _restored(head)):  # and after a resume (the head's saved state)
        predicted = decoder.decode(outputs)
        assert predicted.shape == y.shape, (predicted.shape, y.shape)
        assert predicted.dtype.kind == y.dtype.kind or (form == "one_hot" and predicted.dtype.kind in "fi")
        np.testing.assert_array_equal(predicted, y)


def _restored(head):
    restored = ak.ClassificationHead()
    restored.set_state(head.get_state())
    return restored


def test_string_labels_come_back_from_a_trained_classifier(tmp_path):
    _, classes = _wine()
    y = LABEL_FORMS["string"](classes)
    _, predicted = _fit_predict(tmp_path, y)
    assert predicted.shape == y.shape and set(predicted.tolist()) <= set(y.tolist())
    # Wine's classes separate well: ten epochs of the first trial get most of them (a wrong label map would not).
    assert (predicted == y).mean() > 0.8


def test_multi_label_predicts_a_zero_one_matrix(tmp_path):
    _, classes = _wine()
    # Two labels per row where the classes allow: "red-ish" (class 0 or 2) and "class 1 or 2".
    y = np.stack([(classes != 1), (classes >= 1)], axis=1).astype("int64")
    clf, predicted = _fit_predict(tmp_path, y, multi_label=True)
    assert predicted.shape == y.shape and set(np.unique(predicted).tolist()) <= {0, 1}
    assert (predicted.sum(axis=1) == 2).any()  # several labels on one row: not softmax
    assert (predicted == y).mean() > 0.8


def test_oversized_trials_fail_with_max_model_size(tmp_path):
    x, y = _wine()
    clf = ak.StructuredDataClassifier(max_trials=2, max_model_size=50, directory=str(tmp_path), overwrite=True,
                                      seed=0)
    with pytest.raises(RuntimeError, match="No trial completed"):
        clf.fit(x, y, epochs=1, verbose=0)
    board = clf.leaderboard()
    assert set(board["status"]) == {"FAILED"}
    assert clf.tuner.oracle.trials[board["trial_id"].iloc[0]].message.count("Oversized model") == 1
