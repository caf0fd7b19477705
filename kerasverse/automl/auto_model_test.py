"""End-to-end tests of AutoModel and the tasks (tiny budgets: 1-2 trials, 2-3 epochs)."""

import warnings

import keras
import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_breast_cancer
from sklearn.datasets import load_digits

import kerasverse.automl as ak


@keras.saving.register_keras_serializable(package="automl_test")
def true_positive_rate(y_true, y_pred):
    positives = keras.ops.cast(y_true > 0.5, "float32")
    hits = positives * keras.ops.cast(y_pred > 0.5, "float32")
    return keras.ops.sum(hits) / keras.ops.maximum(keras.ops.sum(positives), 1.0)


class CountEpochs(keras.callbacks.Callback):
    """A user callback: counts the epochs of every fit it is given to."""

    epochs = 0

    def on_epoch_end(self, epoch, logs=None):
        CountEpochs.epochs += 1


@pytest.fixture(scope="module")
def digits_classifier(tmp_path_factory):
    x, y = load_digits(return_X_y=True)
    x = x.reshape(-1, 8, 8).astype("float32")
    clf = ak.ImageClassifier(max_trials=1, overwrite=True, seed=1, directory=str(tmp_path_factory.mktemp("ak")))
    clf.fit(x[:300], y[:300], epochs=2, verbose=0)
    return clf, x[1500:], y[1500:]


def test_image_classifier_learns_digits_and_keeps_integer_labels(digits_classifier):
    clf, x_test, y_test = digits_classifier
    predicted = clf.predict(x_test, verbose=0)
    assert predicted.dtype == y_test.dtype and predicted.shape == y_test.shape
    assert (predicted == y_test).mean() > 0.4  # 10 classes: chance is 0.1
    loss, accuracy = clf.evaluate(x_test, y_test, verbose=0)
    assert accuracy == pytest.approx((predicted == y_test).mean(), abs=0.02)


def test_exported_image_model_is_plain_keras_and_round_trips(digits_classifier, tmp_path):
    clf, x_test, _ = digits_classifier
    model = clf.export_model()
    assert type(model) is keras.Model or isinstance(model, keras.Model) and not isinstance(model, ak.PreprocessedModel)
    path = str(tmp_path / "digits.keras")
    model.save(path)
    loaded = keras.saving.load_model(path)  # no custom objects needed
    batch = x_test[:8, ..., None]
    np.testing.assert_allclose(loaded.predict(batch, verbose=0), model.predict(batch, verbose=0), atol=1e-5)


def test_leaderboard_and_report(digits_classifier, tmp_path):
    clf, _, _ = digits_classifier
    board = clf.leaderboard()
    assert list(board.columns) == ["trial_id", "status", "score", "architecture", "params", "train_time_s", "best_epoch"]
    assert len(board) == 1 and board.loc[0, "status"] == "COMPLETED"
    assert board.loc[0, "params"] > 1000 and board.loc[0, "train_time_s"] > 0
    assert "image_block_1.block_type=vanilla" in board.loc[0, "architecture"]
    path = clf.tuner.report(str(tmp_path / "report.html"))
    assert "<html" in open(path).read().lower()


@pytest.fixture(scope="module")
def table(tmp_path_factory):
    x, y = load_breast_cancer(return_X_y=True, as_frame=True)
    frame = x.iloc[:, :6].copy()
    rng = np.random.default_rng(0)
    frame["size"] = rng.choice(["small", "medium", "large"], len(frame))
    frame.loc[rng.choice(len(frame), 40, replace=False), "mean radius"] = np.nan
    frame.loc[rng.choice(len(frame), 20, replace=False), "size"] = None
    frame["label"] = np.where(y == 1, "benign", "malignant")
    directory = tmp_path_factory.mktemp("table")
    frame.iloc[:450].to_csv(directory / "train.csv", index=False)
    frame.iloc[450:].to_csv(directory / "test.csv", index=False)
    return directory


@pytest.fixture(scope="module")
def csv_classifier(table):
    CountEpochs.epochs = 0
    clf = ak.StructuredDataClassifier(
        max_trials=1, overwrite=True, seed=2, directory=str(table), metrics=["accuracy", true_positive_rate],
    )
    clf.fit(x=str(table / "train.csv"), y="label", epochs=3, callbacks=[CountEpochs()], verbose=0)
    return clf


def test_csv_with_strings_and_missing_values(csv_classifier, table):
    predicted = csv_classifier.predict(str(table / "test.csv"), verbose=0)
    truth = pd.read_csv(table / "test.csv")["label"].to_numpy()
    assert set(predicted) <= {"benign", "malignant"}
    assert (predicted == truth).mean() > 0.75
    # The user callback ran in the trial (3 epochs) and in the final refit (3 epochs).
    assert CountEpochs.epochs == 6


def test_exported_table_model_takes_raw_rows_and_keeps_the_custom_metric(csv_classifier, table, tmp_path):
    exported = csv_classifier.export_model()
    assert isinstance(exported, ak.PreprocessedModel)
    path = str(tmp_path / "table.keras")
    # Saved before any call: built with its inner model, so Keras warns neither that it
    # "might not contain any weights" nor, on load, that the optimizer does not match.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        exported.save(path)
        loaded = keras.saving.load_model(path)
    assert not [str(w.message) for w in caught if "not yet been built" in str(w.message)
                or "Skipping variable loading" in str(w.message)]
    rows = pd.read_csv(table / "test.csv").drop(columns=["label"])
    probabilities = exported.predict(rows, verbose=0)
    np.testing.assert_allclose(loaded.predict(rows, verbose=0), probabilities, atol=1e-5)
    assert "size" in loaded.encoders[0]["vocabularies"]
    # The user metric survives export, save and load.
    labels = pd.read_csv(table / "test.csv")["label"].to_numpy()
    targets = csv_classifier.heads[0].encode_targets(labels)
    results = loaded.evaluate(rows, targets, verbose=0, return_dict=True)
    assert "true_positive_rate" in results and 0 <= results["true_positive_rate"] <= 1


def test_resume_loads_the_finished_search_without_refitting(csv_classifier, table):
    again = ak.StructuredDataClassifier(
        max_trials=1, overwrite=False, seed=2, directory=str(table), metrics=["accuracy", true_positive_rate],
    )
    rows = pd.read_csv(table / "test.csv")
    np.testing.assert_array_equal(again.predict(rows.drop(columns=["label"]), verbose=0),
                                  csv_classifier.predict(rows.drop(columns=["label"]), verbose=0))
    assert len(again.tuner.oracle.trials) == 1


def test_cli_prints_the_leaderboard(csv_classifier, capsys):
    from kerasverse.cli.main import main

    assert main(["automl", "leaderboard", csv_classifier.project_dir]) == 0
    out = capsys.readouterr().out
    assert "dense_block_1.num_layers=2" in out and "trial_id" in out
