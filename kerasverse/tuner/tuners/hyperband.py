"""`Hyperband`: the tuner with a `HyperbandOracle`."""

import os

from kerasverse.tuner.engine import tuner as tuner_module
from kerasverse.tuner.oracles.hyperband import HyperbandOracle


class Hyperband(tuner_module.Tuner):
    """Hyperband tuner: promoted trials resume from their parent's weights.

    Args:
        hypermodel: A `HyperModel` or a function `build(hp)`.
        objective: A metric name, an `Objective` or a list of them.
        max_epochs: The most epochs a model is trained for.
        factor: The reduction factor (default 3).
        hyperband_iterations: Times the algorithm runs (default 1).
        seed, hyperparameters, tune_new_entries, allow_new_entries,
        max_retries_per_trial, max_consecutive_failed_trials: see `Oracle`.
        **kwargs: `Tuner` arguments.

    Example:

    ```python
    tuner = Hyperband(build_model, "val_accuracy", max_epochs=9, factor=3)
    tuner.search(x, y, validation_split=0.2)   # `epochs` comes from Hyperband
    ```
    """

    def __init__(
        self,
        hypermodel=None,
        objective=None,
        max_epochs=100,
        factor=3,
        hyperband_iterations=1,
        seed=None,
        hyperparameters=None,
        tune_new_entries=True,
        allow_new_entries=True,
        max_retries_per_trial=0,
        max_consecutive_failed_trials=3,
        **kwargs,
    ):
        oracle = HyperbandOracle(
            objective,
            max_epochs=max_epochs,
            factor=factor,
            hyperband_iterations=hyperband_iterations,
            seed=seed,
            hyperparameters=hyperparameters,
            tune_new_entries=tune_new_entries,
            allow_new_entries=allow_new_entries,
            max_retries_per_trial=max_retries_per_trial,
            max_consecutive_failed_trials=max_consecutive_failed_trials,
        )
        super().__init__(oracle=oracle, hypermodel=hypermodel, **kwargs)

    def run_trial(self, trial, *fit_args, **fit_kwargs):
        hp = trial.hyperparameters
        if "tuner/epochs" in hp.values:
            fit_kwargs["epochs"] = hp.values["tuner/epochs"]
            fit_kwargs["initial_epoch"] = hp.values["tuner/initial_epoch"]
        return super().run_trial(trial, *fit_args, **fit_kwargs)

    def _build_hypermodel(self, hp):
        model = super()._build_hypermodel(hp)
        if "tuner/trial_id" in hp.values:
            path = self._checkpoint_path(hp.values["tuner/trial_id"])
            if os.path.exists(path):
                tuner_module.load_weights(model, path)
        return model
