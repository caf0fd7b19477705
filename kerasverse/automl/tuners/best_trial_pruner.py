"""`BestTrialPruner`: stop a trial that is clearly worse than the best one at the same epoch."""

from kerasverse.tuner.engine.trial import TrialStatus
from kerasverse.tuner.pruners.pruner import Pruner
from kerasverse.tuner.pruners.pruner import best_so_far


class BestTrialPruner(Pruner):
    """Prunes a trial whose best value so far is worse than the best
    completed trial's value at the same epoch by more than `margin` (a
    fraction of that value's magnitude).

    AutoModel's default pruner: a search of a few trials spends most of its
    time training, and a trial far behind the best one after a few epochs
    (a learning rate that diverges, a model that learns nothing yet) rarely
    overtakes it. The epochs it would have used are saved; a trial within
    the margin runs to the end.

    Args:
        n_warmup_steps: No pruning before this epoch (0-based; default 1:
            every trial runs two epochs).
        margin: How much worse counts as clearly worse (default 0.25: a
            `val_loss` 25% above the best trial's at that epoch).

    Example:

    ```python
    clf = ak.ImageClassifier(max_trials=5, pruner=ak.BestTrialPruner(margin=0.5))
    clf = ak.ImageClassifier(max_trials=5, pruner=None)  # every trial runs all its epochs
    ```
    """

    def __init__(self, n_warmup_steps=1, margin=0.25):
        if isinstance(n_warmup_steps, bool) or not isinstance(n_warmup_steps, int) or n_warmup_steps < 0:
            raise ValueError(f"`n_warmup_steps` must be an int >= 0. Received: n_warmup_steps={n_warmup_steps!r}.")
        if isinstance(margin, bool) or not isinstance(margin, (int, float)) or margin < 0:
            raise ValueError(f"`margin` must be a number >= 0. Received: margin={margin!r}.")
        self.n_warmup_steps = n_warmup_steps
        self.margin = float(margin)

    def prune(self, oracle, trial):
        step = max(trial.intermediate_values)
        if step < self.n_warmup_steps:
            return False
        direction = getattr(oracle.objective, "direction", None)
        if direction is None:
            return False  # Several objectives: no single best trial.
        finished = [
            t for t in oracle.trials.values()
            if t.status == TrialStatus.COMPLETED and t.score is not None and t.trial_id != trial.trial_id
        ]
        if not finished:
            return False
        best = (min if direction == "min" else max)(finished, key=lambda t: t.score)
        reference = best.intermediate_values.get(step)
        if reference is None or reference != reference:
            return False  # The best trial stopped before this epoch.
        values = [v for s, v in trial.intermediate_values.items() if s <= step and v == v]
        if not values:
            return False
        value = best_so_far(values, direction)
        allowed = self.margin * abs(reference)
        return value > reference + allowed if direction == "min" else value < reference - allowed

    def get_config(self):
        return {"n_warmup_steps": self.n_warmup_steps, "margin": self.margin}

