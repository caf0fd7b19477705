"""`leaderboard(tuner)`: the trials of an AutoModel search as a DataFrame."""

import json
import os

# Hyperparameters that say which architecture a trial is (the rest are its settings).
_ARCHITECTURE_KEYS = ("block_type", "version", "num_layers", "num_blocks", "layer_type", "embedding_dim")


def architecture_summary(values):
    """A short description of a trial's model from its hyperparameter values."""
    parts = []
    for name, value in sorted(values.items()):
        if name.startswith("tuner/"):
            continue
        leaf = name.rsplit("/", 1)[-1]
        if leaf in _ARCHITECTURE_KEYS or leaf.startswith("units_") or leaf.startswith("filters_"):
            block = name.rsplit("/", 2)[-2] if "/" in name else ""
            parts.append(f"{block}.{leaf}={value}" if block else f"{leaf}={value}")
    if "optimizer" in values:
        parts.append(f"{values['optimizer']}@{values.get('learning_rate')}")
    return ", ".join(parts)


def leaderboard(tuner):
    """A pandas DataFrame with one row per trial, best first: `trial_id`,
    `status`, `score` (the objective), `architecture`, `params`,
    `train_time_s`, `best_epoch`.

    Example:

    ```python
    clf.fit(x, y, epochs=2)
    clf.leaderboard().head()
    ```
    """
    import pandas as pd

    oracle = tuner.oracle
    oracle.reload()
    rows = []
    for trial in oracle.trials.values():
        params = None
        path = os.path.join(tuner.project_dir, f"trial_{trial.trial_id}", "automl_trial.json")
        if os.path.exists(path):
            with open(path) as file:
                params = json.load(file).get("params")
        started, ended = getattr(trial, "started", None), getattr(trial, "ended", None)
        rows.append({
            "trial_id": trial.trial_id,
            "status": str(getattr(trial.status, "value", trial.status)),
            "score": trial.score,
            "architecture": architecture_summary(trial.hyperparameters.values),
            "params": params,
            "train_time_s": None if started is None or ended is None else round(ended - started, 3),
            "best_epoch": trial.best_step,
        })
    frame = pd.DataFrame(rows, columns=["trial_id", "status", "score", "architecture", "params",
                                        "train_time_s", "best_epoch"])
    ascending = oracle.objective.direction != "max"
    return frame.sort_values("score", ascending=ascending, na_position="last").reset_index(drop=True)
