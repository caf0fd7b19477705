"""`SklearnTuner`: tunes scikit-learn estimators with cross-validation."""

import collections
import inspect
import os
import pickle

import numpy as np

from kerasverse.tuner.engine import base_tuner


class SklearnTuner(base_tuner.BaseTuner):
    """Tunes a scikit-learn model (or pipeline) by cross-validation.

    The hypermodel's `build(hp)` returns an unfitted estimator; each trial
    fits it on every split of `cv` and records the mean score (objective
    `"score"`, maximized, unless the oracle says otherwise) and the mean of
    each extra metric.

    Args:
        oracle: An `Oracle` (its objective defaults to "score", max).
        hypermodel: A `HyperModel` or function `build(hp)` -> estimator.
        scoring: A scorer (`sklearn.metrics.make_scorer`); default: the
            estimator's own `score`.
        metrics: Extra metric functions `metric(y_true, y_pred)`, recorded by
            name.
        cv: A scikit-learn splitter (default `KFold(5, shuffle=True, random_state=1)`).
        **kwargs: `BaseTuner` arguments.

    Example:

    ```python
    def build_model(hp):
        return sklearn.linear_model.Ridge(alpha=hp.Float("alpha", 1e-3, 10, sampling="log"))

    tuner = SklearnTuner(
        oracle=kt.oracles.RandomSearchOracle(kt.Objective("score", "max"), max_trials=5),
        hypermodel=build_model,
    )
    tuner.search(x, y)
    ```
    """

    def __init__(self, oracle, hypermodel, scoring=None, metrics=None, cv=None, **kwargs):
        from sklearn import model_selection

        if oracle.objective.name == "default_objective":
            from kerasverse.tuner.engine.objective import Objective

            oracle.objective = Objective("score", "max")
        super().__init__(oracle=oracle, hypermodel=hypermodel, **kwargs)
        self.scoring = scoring
        self.metrics = [] if metrics is None else (metrics if isinstance(metrics, list) else [metrics])
        self.cv = cv or model_selection.KFold(5, shuffle=True, random_state=1)

    def search(self, X, y, sample_weight=None, groups=None, **kwargs):
        """Runs the search on `X`, `y` (numpy arrays or pandas)."""
        return super().search(X, y, sample_weight=sample_weight, groups=groups, **kwargs)

    def run_trial(self, trial, X, y, sample_weight=None, groups=None):
        metrics = collections.defaultdict(list)
        model = None
        for train, test in self.cv.split(X, y, groups):
            x_train, x_test = _index(X, train), _index(X, test)
            y_train, y_test = _index(y, train), _index(y, test)
            model = self.hypermodel.build(trial.hyperparameters)
            fit_kwargs = {}
            if sample_weight is not None:
                if "sample_weight" not in inspect.signature(model.fit).parameters:
                    raise TypeError(f"{type(model).__name__}.fit does not accept sample_weight.")
                fit_kwargs["sample_weight"] = np.asarray(sample_weight)[train]
            model.fit(x_train, y_train, **fit_kwargs)
            test_weight = None if sample_weight is None else np.asarray(sample_weight)[test]
            if self.scoring is None:
                score = model.score(x_test, y_test, sample_weight=test_weight) if test_weight is not None else model.score(x_test, y_test)
            else:
                score = self.scoring(model, x_test, y_test)
            metrics["score"].append(float(score))
            if self.metrics:
                predictions = model.predict(x_test)
                for metric in self.metrics:
                    metrics[metric.__name__].append(float(metric(y_test, predictions)))
        self.save_model(trial.trial_id, model)
        return {name: float(np.mean(values)) for name, values in metrics.items()}

    def save_model(self, trial_id, model, step=0):
        with open(os.path.join(self.get_trial_dir(trial_id), "model.pickle"), "wb") as f:
            pickle.dump(model, f)

    def load_model(self, trial):
        """The estimator of `trial` (fitted on the last cross-validation split)."""
        with open(os.path.join(self.get_trial_dir(trial.trial_id), "model.pickle"), "rb") as f:
            return pickle.load(f)


def _index(data, indices):
    if data is None:
        return None
    if hasattr(data, "iloc"):
        return data.iloc[indices]
    return np.asarray(data)[indices]
