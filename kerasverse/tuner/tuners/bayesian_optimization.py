"""`BayesianOptimization`: the tuner with a `BayesianOptimizationOracle`."""

from kerasverse.tuner.engine import tuner as tuner_module
from kerasverse.tuner.oracles.bayesian_optimization import BayesianOptimizationOracle


class BayesianOptimization(tuner_module.Tuner):
    """Bayesian optimization tuner (Gaussian process, Matern 5/2).

    Args:
        hypermodel: A `HyperModel` or a function `build(hp)`.
        objective: A metric name, an `Objective` or a list of them.
        max_trials: The number of trials (default 10).
        num_initial_points: Design points before the GP is used.
        alpha: The smallest noise variance of the GP.
        beta: The exploration weight of `acquisition="ucb"`.
        seed, hyperparameters, tune_new_entries, allow_new_entries,
        max_retries_per_trial, max_consecutive_failed_trials: see `Oracle`.
        **kwargs: `Tuner` arguments; also `acquisition` ("ei" or "ucb").

    Example:

    ```python
    tuner = BayesianOptimization(build_model, "val_loss", max_trials=20)
    ```
    """

    def __init__(
        self,
        hypermodel=None,
        objective=None,
        max_trials=10,
        num_initial_points=None,
        alpha=1e-4,
        beta=2.6,
        seed=None,
        hyperparameters=None,
        tune_new_entries=True,
        allow_new_entries=True,
        max_retries_per_trial=0,
        max_consecutive_failed_trials=3,
        **kwargs,
    ):
        self.seed = seed
        oracle = BayesianOptimizationOracle(
            objective=objective,
            max_trials=max_trials,
            num_initial_points=num_initial_points,
            alpha=alpha,
            beta=beta,
            seed=seed,
            hyperparameters=hyperparameters,
            tune_new_entries=tune_new_entries,
            allow_new_entries=allow_new_entries,
            max_retries_per_trial=max_retries_per_trial,
            max_consecutive_failed_trials=max_consecutive_failed_trials,
            acquisition=kwargs.pop("acquisition", "ei"),
        )
        super().__init__(oracle, hypermodel, **kwargs)
