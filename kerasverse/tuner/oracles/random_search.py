"""`RandomSearchOracle`: samples each trial's values at random."""

from kerasverse.tuner.engine import oracle as oracle_module
from kerasverse.tuner.engine.trial import TrialStatus


class RandomSearchOracle(oracle_module.Oracle):
    """Random search: each trial samples every active hyperparameter.

    Args:
        objective: A metric name, an `Objective` or a list of them.
        max_trials: The number of trials to run (default 10).
        seed: Random seed.
        hyperparameters, allow_new_entries, tune_new_entries,
        max_retries_per_trial, max_consecutive_failed_trials, pruner: see
            `Oracle`.

    Example:

    ```python
    oracle = RandomSearchOracle(objective="val_loss", max_trials=5, seed=1)
    trial = oracle.create_trial("tuner0")
    ```
    """

    def __init__(
        self,
        objective=None,
        max_trials=10,
        seed=None,
        hyperparameters=None,
        allow_new_entries=True,
        tune_new_entries=True,
        max_retries_per_trial=0,
        max_consecutive_failed_trials=3,
        pruner=None,
    ):
        super().__init__(
            objective=objective,
            max_trials=max_trials,
            hyperparameters=hyperparameters,
            allow_new_entries=allow_new_entries,
            tune_new_entries=tune_new_entries,
            seed=seed,
            max_retries_per_trial=max_retries_per_trial,
            max_consecutive_failed_trials=max_consecutive_failed_trials,
            pruner=pruner,
        )

    def populate_space(self, trial_id):
        values = self._random_values()
        if values is None:
            return {"status": TrialStatus.STOPPED, "values": None}
        return {"status": TrialStatus.RUNNING, "values": values}
