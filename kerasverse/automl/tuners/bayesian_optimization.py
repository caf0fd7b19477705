"""`BayesianOptimization`: AutoModel's Gaussian-process search (kerasverse.tuner's oracle)."""

from kerasverse.automl.tuners.auto_tuner import AutoTuner
from kerasverse.tuner.oracles.bayesian_optimization import BayesianOptimizationOracle


class BayesianOptimization(AutoTuner):
    """Bayesian optimization over the graph's space.

    Args:
        hypermodel: The AutoModel's `Graph`.
        objective, max_trials, num_initial_points, alpha, beta, seed,
        hyperparameters, tune_new_entries, allow_new_entries: see
            `BayesianOptimizationOracle`.
        **kwargs: `Tuner` arguments.

    Example:

    ```python
    clf = ak.StructuredDataRegressor(tuner="bayesian", max_trials=5)
    ```
    """

    def __init__(self, hypermodel=None, objective="val_loss", max_trials=10, num_initial_points=2, alpha=1e-4,
                 beta=2.6, seed=None, hyperparameters=None, tune_new_entries=True, allow_new_entries=True, **kwargs):
        self.seed = seed
        oracle = BayesianOptimizationOracle(
            objective=objective, max_trials=max_trials, num_initial_points=num_initial_points, alpha=alpha,
            beta=beta, seed=seed, hyperparameters=hyperparameters, tune_new_entries=tune_new_entries,
            allow_new_entries=allow_new_entries,
        )
        super().__init__(oracle=oracle, hypermodel=hypermodel, **kwargs)
