"""AutoModel's tuners: `Greedy` (AutoKeras' default), `RandomSearch`, `Hyperband`,
`BayesianOptimization`, all `kerasverse.tuner.Tuner`s over the block graph."""

from kerasverse.automl.tuners.auto_tuner import AutoTuner
from kerasverse.automl.tuners.bayesian_optimization import BayesianOptimization
from kerasverse.automl.tuners.best_trial_pruner import BestTrialPruner
from kerasverse.automl.tuners.greedy import Greedy
from kerasverse.automl.tuners.greedy import GreedyOracle
from kerasverse.automl.tuners.hyperband import Hyperband
from kerasverse.automl.tuners.random_search import RandomSearch

TUNER_CLASSES = {
    "greedy": Greedy,
    "random": RandomSearch,
    "hyperband": Hyperband,
    "bayesian": BayesianOptimization,
}


def get_tuner_class(tuner):
    """The tuner class of a name ("greedy", "random", "hyperband", "bayesian") or an `AutoTuner` subclass."""
    if isinstance(tuner, str):
        if tuner not in TUNER_CLASSES:
            raise ValueError(
                f"`tuner` must be one of {sorted(TUNER_CLASSES)} or an ak.AutoTuner subclass. "
                f"Received: tuner={tuner!r}."
            )
        return TUNER_CLASSES[tuner]
    if isinstance(tuner, type) and issubclass(tuner, AutoTuner):
        return tuner
    raise ValueError(
        f"`tuner` must be one of {sorted(TUNER_CLASSES)} or an ak.AutoTuner subclass "
        f"(ak.Greedy, ak.RandomSearch, ...). Received: tuner={tuner!r}."
    )


__all__ = ["AutoTuner", "BayesianOptimization", "BestTrialPruner", "Greedy", "GreedyOracle", "Hyperband", "RandomSearch",
           "TUNER_CLASSES", "get_tuner_class"]
