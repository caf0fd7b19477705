"""`SuccessiveHalvingPruner`: asynchronous successive halving (ASHA)."""

from kerasverse.tuner.pruners.pruner import Pruner


class SuccessiveHalvingPruner(Pruner):
    """Asynchronous successive halving (Li et al., "A System for Massively
    Parallel Hyperparameter Tuning", MLSys 2020).

    Rung `k` sits at `min_resource * reduction_factor ** (min_early_stopping_rate + k)`
    epochs. A trial reaching a rung continues only when its value there is
    in the top `1 / reduction_factor` of every value recorded at that rung so
    far (by any trial); the first trials to reach a rung always continue, so
    no trial waits for others.

    Args:
        min_resource: Epochs before the first rung.
        reduction_factor: The fraction `1 / reduction_factor` promoted.
        min_early_stopping_rate: Shifts the first rung to later epochs.
        bootstrap_count: Values needed at a rung before anything is pruned.

    Example:

    ```python
    pruner = kt.SuccessiveHalvingPruner(min_resource=1, reduction_factor=3)
    ```
    """

    def __init__(self, min_resource=1, reduction_factor=3, min_early_stopping_rate=0, bootstrap_count=0):
        if not isinstance(min_resource, int) or min_resource < 1:
            raise ValueError(
                f"`min_resource` must be an int >= 1. Received: min_resource={min_resource!r}"
            )
        if not isinstance(reduction_factor, int) or reduction_factor < 2:
            raise ValueError(
                "`reduction_factor` must be an int >= 2. "
                f"Received: reduction_factor={reduction_factor!r}"
            )
        if min_early_stopping_rate < 0 or bootstrap_count < 0:
            raise ValueError(
                "`min_early_stopping_rate` and `bootstrap_count` must be >= 0. Received: "
                f"min_early_stopping_rate={min_early_stopping_rate!r}, "
                f"bootstrap_count={bootstrap_count!r}"
            )
        self.min_resource = min_resource
        self.reduction_factor = reduction_factor
        self.min_early_stopping_rate = min_early_stopping_rate
        self.bootstrap_count = bootstrap_count

    def rung_steps(self, max_step):
        """The 0-based steps (epochs) of the rungs up to `max_step`."""
        steps, rung = [], 0
        while True:
            resource = self.min_resource * self.reduction_factor ** (
                self.min_early_stopping_rate + rung
            )
            if resource - 1 > max_step:
                return steps
            steps.append(resource - 1)
            rung += 1

    def prune(self, oracle, trial):
        step = max(trial.intermediate_values)
        if step not in self.rung_steps(step):
            return False
        value = trial.intermediate_values[step]
        competing = [
            t.intermediate_values[step]
            for t in oracle.trials.values()
            if step in t.intermediate_values and t.intermediate_values[step] == t.intermediate_values[step]
        ]
        if len(competing) <= self.bootstrap_count:
            return False
        num_promoted = max(1, len(competing) // self.reduction_factor)
        reverse = oracle.objective.direction == "max"
        threshold = sorted(competing, reverse=reverse)[num_promoted - 1]
        return value > threshold if not reverse else value < threshold

    def get_config(self):
        return {
            "min_resource": self.min_resource,
            "reduction_factor": self.reduction_factor,
            "min_early_stopping_rate": self.min_early_stopping_rate,
            "bootstrap_count": self.bootstrap_count,
        }
