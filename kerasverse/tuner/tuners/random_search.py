"""`RandomSearch`: the tuner with a `RandomSearchOracle`."""

from kerasverse.tuner.engine import tuner as tuner_module
from kerasverse.tuner.oracles.random_search import RandomSearchOracle


class RandomSearch(tuner_module.Tuner):
    """Random search tuner.

    Args:
        hypermodel: A `HyperModel` or a function `build(hp)`.
        objective: A metric name, an `Objective` or a list of them.
        max_trials: The number of trials (default 10).
        seed: Random seed.
        hyperparameters, tune_new_entries, allow_new_entries,
        max_retries_per_trial, max_consecutive_failed_trials: see `Oracle`.
        **kwargs: `Tuner` arguments (`directory`, `project_name`, `overwrite`,
            `executions_per_trial`, `storage`, `pruner`, ...).

    Example:

    ```python
    tuner = RandomSearch(build_model, objective="val_loss", max_trials=5)
    tuner.search(x, y, epochs=3, validation_split=0.2)
    ```
    """

    def __init__(
        self,
        hypermodel=None,
        objective=None,
        max_trials=10,
        seed=None,
        hyperparameters=None,
        tune_new_entries=True,
        allow_new_entries=True,
        max_retries_per_trial=0,
        max_consecutive_failed_trials=3,
        **kwargs,
    ):
        self.seed = seed
        oracle = RandomSearchOracle(
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
