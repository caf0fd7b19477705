"""`Hyperband`: AutoModel's Hyperband (kerasverse.tuner's oracle and epoch schedule)."""

from kerasverse.automl.tuners.auto_tuner import AutoTuner
from kerasverse.tuner.tuners.hyperband import Hyperband as _KerasverseHyperband


class Hyperband(AutoTuner, _KerasverseHyperband):
    """Hyperband over the graph's space: trials get `tuner/epochs` epochs
    and promoted trials continue from their parent's checkpoint.

    Args:
        hypermodel: The AutoModel's `Graph`.
        objective, max_epochs, factor, hyperband_iterations, seed,
        hyperparameters, tune_new_entries, allow_new_entries: see `HyperbandOracle`.
        max_trials: An upper bound on the trials (AutoModel passes it).
        **kwargs: `Tuner` arguments.

    Example:

    ```python
    clf = ak.ImageClassifier(tuner="hyperband", max_trials=5)
    ```
    """

    def __init__(self, hypermodel=None, objective="val_loss", max_epochs=100, factor=3, hyperband_iterations=1,
                 seed=None, max_trials=None, **kwargs):
        self.seed = seed
        _KerasverseHyperband.__init__(
            self, hypermodel=hypermodel, objective=objective, max_epochs=max_epochs, factor=factor,
            hyperband_iterations=hyperband_iterations, seed=seed, **kwargs,
        )
        if max_trials is not None:
            self.oracle.max_trials = max_trials
