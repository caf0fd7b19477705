"""`GridSearch`: the tuner with a `GridSearchOracle`."""

from kerasverse.tuner.engine import tuner as tuner_module
from kerasverse.tuner.oracles.grid_search import GridSearchOracle


class GridSearch(tuner_module.Tuner):
    """Grid search tuner: tries every combination of the hyperparameter values.

    Args:
        hypermodel: A `HyperModel` or a function `build(hp)`.
        objective: A metric name, an `Objective` or a list of them.
        max_trials: Optional cap (default: the whole grid).
        seed, hyperparameters, tune_new_entries, allow_new_entries,
        max_retries_per_trial, max_consecutive_failed_trials: see `Oracle`.
        **kwargs: `Tuner` arguments.

    Example:

    ```python
    tuner = GridSearch(build_model, objective="val_loss")
    ```
    """

    def __init__(
        self,
        hypermodel=None,
        objective=None,
        max_trials=None,
        seed=None,
        hyperparameters=None,
        tune_new_entries=True,
        allow_new_entries=True,
        max_retries_per_trial=0,
        max_consecutive_failed_trials=3,
        **kwargs,
    ):
        self.seed = seed
        oracle = GridSearchOracle(
            objective=objective,
            max_trials=max_trials,
            seed=seed,
            hyperparameters=hyperparameters,
            tune_new_entries=tune_new_entries,
            allow_new_entries=allow_new_entries,
            max_retries_per_trial=max_retries_per_trial,
            max_consecutive_failed_trials=max_consecutive_failed_trials,
        )
        super().__init__(oracle, hypermodel, **kwargs)
