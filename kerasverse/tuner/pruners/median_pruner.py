"""`MedianPruner`: stop a trial whose best value is worse than the median."""

import numpy as np

from kerasverse.tuner.engine.trial import TrialStatus
from kerasverse.tuner.pruners.pruner import Pruner
from kerasverse.tuner.pruners.pruner import best_so_far


class MedianPruner(Pruner):
    """Prunes a trial when its best intermediate value so far is worse than
    the median of the completed trials' values at the same step.

    Args:
        n_startup_trials: No pruning until this many trials completed.
        n_warmup_steps: No pruning before this step (epoch, 0-based).
        interval_steps: Check every `interval_steps` steps after warm-up.
        n_min_trials: Completed trials that reached the step needed to
            compare against.

    Example:

    ```python
    tuner = kt.RandomSearch(build_model, "val_loss", max_trials=30,
                            pruner=kt.MedianPruner(n_startup_trials=5))
    ```
    """

    def __init__(self, n_startup_trials=5, n_warmup_steps=0, interval_steps=1, n_min_trials=1):
        for name, value, low in (
            ("n_startup_trials", n_startup_trials, 0),
            ("n_warmup_steps", n_warmup_steps, 0),
            ("interval_steps", interval_steps, 1),
            ("n_min_trials", n_min_trials, 1),
        ):
            if not isinstance(value, int) or value < low:
                raise ValueError(f"`{name}` must be an int >= {low}. Received: {name}={value!r}")
        self.n_startup_trials = n_startup_trials
        self.n_warmup_steps = n_warmup_steps
        self.interval_steps = interval_steps
        self.n_min_trials = n_min_trials

    def prune(self, oracle, trial):
        step = max(trial.intermediate_values)
        if step < self.n_warmup_steps or (step - self.n_warmup_steps) % self.interval_steps:
            return False
        finished = [
            t for t in oracle.trials.values()
            if t.status == TrialStatus.COMPLETED and t.trial_id != trial.trial_id
        ]
        if len(finished) < self.n_startup_trials:
            return False
        others = [t.intermediate_values[step] for t in finished if step in t.intermediate_values]
        others = [v for v in others if v == v]
        if len(others) < self.n_min_trials:
            return False
        direction = oracle.objective.direction
        best = best_so_far(
            [v for s, v in trial.intermediate_values.items() if s <= step and v == v], direction
        )
        median = float(np.median(others))
        return best > median if direction == "min" else best < median

    def get_config(self):
        return {
            "n_startup_trials": self.n_startup_trials,
            "n_warmup_steps": self.n_warmup_steps,
            "interval_steps": self.interval_steps,
            "n_min_trials": self.n_min_trials,
        }
