"""`Pruner`: decides whether to stop a trial early from its intermediate values."""

import abc


class Pruner(abc.ABC):
    """The extension point for early stopping of unpromising trials.

    Call order: each epoch the tuner reports the objective's value to
    `Oracle.report_intermediate_value(trial_id, value, step)`, which stores it
    in `trial.intermediate_values[step]` and then calls `prune(oracle, trial)`
    while holding the study's lock. Returning True stops the trial after the
    current epoch; it ends with status PRUNED (and counts toward
    `max_trials`).

    Helpers: `oracle.trials` (all trials of the study, with their status and
    intermediate values) and `oracle.objective.direction`.

    Example:

    ```python
    class ThresholdPruner(Pruner):
        def __init__(self, threshold):
            self.threshold = threshold

        def prune(self, oracle, trial):
            step = max(trial.intermediate_values)
            return trial.intermediate_values[step] > self.threshold
    ```
    """

    @abc.abstractmethod
    def prune(self, oracle, trial) -> bool:
        """Whether `trial` should stop now."""


def best_so_far(values, direction):
    """The best of `values` for `direction` ("min" or "max")."""
    return min(values) if direction == "min" else max(values)
