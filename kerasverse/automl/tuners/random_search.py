"""`RandomSearch`: AutoModel's random search (kerasverse.tuner's oracle)."""

from kerasverse.automl.tuners.auto_tuner import AutoTuner
from kerasverse.tuner.oracles.random_search import RandomSearchOracle


class RandomSearch(AutoTuner):
    """Random search over the graph's space.

    Args:
        hypermodel: The AutoModel's `Graph`.
        objective, max_trials, seed, hyperparameters, tune_new_entries,
        allow_new_entries: see `RandomSearchOracle`.
        **kwargs: `Tuner` arguments.

    Example:

    ```python
    clf = ak.StructuredDataClassifier(tuner="random", max_trials=3)
    ```
    """

    def __init__(self, hypermodel=None, objective="val_loss", max_trials=10, seed=None, hyperparameters=None,
                 tune_new_entries=True, allow_new_entries=True, **kwargs):
        self.seed = seed
        oracle = RandomSearchOracle(
            objective=objective, max_trials=max_trials, seed=seed, hyperparameters=hyperparameters,
            tune_new_entries=tune_new_entries, allow_new_entries=allow_new_entries,
        )
        super().__init__(oracle=oracle, hypermodel=hypermodel, **kwargs)
