"""kerasverse.automl end to end: an AutoKeras script on a CSV with string
categories and missing values, on JAX or PyTorch, without TensorFlow.

StructuredDataClassifier searches 2 models (`kerasverse.tuner` study in
SQLite), refits the best on train + validation, predicts string labels from
raw CSV rows, writes the leaderboard and the tuner's HTML report, and exports
the model (a `PreprocessedModel`: the table encoders plus a plain Keras
model) to `.keras`, loaded back and checked.

Run: `KERAS_BACKEND=jax python examples/automl_example.py` (also `make demo`'s
automl stage, which calls `main(directory)`).
"""

import os
import sys
import tempfile

os.environ.setdefault("KERAS_BACKEND", "jax")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from sklearn.datasets import load_breast_cancer  # noqa: E402

import kerasverse.automl as ak  # noqa: E402


def write_csvs(directory, seed=0):
    """breast_cancer with a string column, missing values and string labels."""
    x, y = load_breast_cancer(return_X_y=True, as_frame=True)
    frame = x.iloc[:, :8].copy()
    rng = np.random.default_rng(seed)
    frame["clinic"] = rng.choice(["north", "south", "east"], len(frame))
    frame.loc[rng.choice(len(frame), 50, replace=False), "mean radius"] = np.nan
    frame["diagnosis"] = np.where(y == 1, "benign", "malignant")
    frame = frame.sample(frac=1.0, random_state=seed)
    train, test = os.path.join(directory, "train.csv"), os.path.join(directory, "test.csv")
    frame.iloc[:450].to_csv(train, index=False)
    frame.iloc[450:].to_csv(test, index=False)
    return train, test


def main(directory=None, max_trials=2, epochs=5):
    """Runs the search; returns a dict of what it measured."""
    directory = directory or tempfile.mkdtemp()
    os.makedirs(directory, exist_ok=True)
    train, test = write_csvs(directory)
    clf = ak.StructuredDataClassifier(max_trials=max_trials, directory=directory, overwrite=True, seed=0)
    clf.fit(x=train, y="diagnosis", epochs=epochs, verbose=0)
    truth = pd.read_csv(test)["diagnosis"].to_numpy()
    predicted = clf.predict(test, verbose=0)
    accuracy = float(np.mean(predicted == truth))
    board = clf.leaderboard()
    report = clf.tuner.report(os.path.join(directory, "automl_report.html"))
    exported = clf.export_model()
    path = os.path.join(directory, "automl_model.keras")
    exported.save(path)
    loaded = keras.saving.load_model(path)
    rows = pd.read_csv(test).drop(columns=["diagnosis"])
    max_diff = float(np.abs(loaded.predict(rows, verbose=0) - exported.predict(rows, verbose=0)).max())
    print(board.to_string(index=False, max_colwidth=60))
    print(f"test accuracy {accuracy:.3f}; labels {sorted(set(predicted))}; exported {path} "
          f"(reloaded, max diff {max_diff:.2e}); report {report}")
    return {"accuracy": accuracy, "trials": len(board), "leaderboard": board, "model_path": path,
            "report": report, "max_diff": max_diff}


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else None)
