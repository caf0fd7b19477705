"""`GridSearchOracle`: visits every combination of the hyperparameter values."""

from kerasverse.tuner.engine import oracle as oracle_module
from kerasverse.tuner.engine.hyperparameters import Boolean
from kerasverse.tuner.engine.trial import TrialStatus


def grid_values(hp):
    """The values a grid visits for `hp`, in ascending order."""
    if isinstance(hp, Boolean):
        return [False, True]
    values = hp.values
    if values is None:  # A continuous Float: ten evenly spaced quantiles.
        values = sorted({hp.prob_to_value(i * 0.1 + 0.05) for i in range(10)})
    return list(values)


class GridSearchOracle(oracle_module.Oracle):
    """Grid search: the first trial takes every hyperparameter's first value,
    then the values change like an odometer (the last declared hyperparameter
    fastest) until every combination of the active ones has been tried.

    A `Float` without `step` contributes ten evenly spaced values. The
    conditions of conditional hyperparameters are respected.

    Args:
        objective: A metric name, an `Objective` or a list of them.
        max_trials: Optional cap; by default the whole grid is searched.
        seed, hyperparameters, allow_new_entries, tune_new_entries,
        max_retries_per_trial, max_consecutive_failed_trials, pruner: see
            `Oracle`.

    Example:

    ```python
    hp = HyperParameters()
    hp.Choice("units", [8, 16])
    hp.Boolean("bias")
    oracle = GridSearchOracle("val_loss", hyperparameters=hp)  # 4 trials
    ```
    """

    def __init__(
        self,
        objective=None,
        max_trials=None,
        seed=None,
        hyperparameters=None,
        allow_new_entries=True,
        tune_new_entries=True,
        max_retries_per_trial=0,
        max_consecutive_failed_trials=3,
        pruner=None,
    ):
        super().__init__(
            objective=objective,
            max_trials=max_trials,
            hyperparameters=hyperparameters,
            allow_new_entries=allow_new_entries,
            tune_new_entries=tune_new_entries,
            seed=seed,
            max_retries_per_trial=max_retries_per_trial,
            max_consecutive_failed_trials=max_consecutive_failed_trials,
            pruner=pruner,
        )

    def _first_values(self):
        values = {}
        for hp in self.hyperparameters.space:
            if hp.name not in values and all(c.is_active(values) for c in hp.conditions):
                values[hp.name] = grid_values(hp)[0]
        return values

    def _next_values(self, previous):
        space = []
        for hp in self.hyperparameters.space:
            if hp.name not in [h.name for h in space]:
                space.append(hp)
        values = dict(previous)
        for index in range(len(space) - 1, -1, -1):
            hp = space[index]
            # Values of the hyperparameters before `index` stay; later ones reset.
            prefix = {h.name: values[h.name] for h in space[:index] if h.name in values}
            if not all(c.is_active(prefix) for c in hp.conditions):
                continue
            options = grid_values(hp)
            current = values.get(hp.name, options[0])
            position = options.index(current) if current in options else -1
            if position + 1 < len(options):
                prefix[hp.name] = options[position + 1]
                for later in space[index + 1:]:
                    if later.name not in prefix and all(c.is_active(prefix) for c in later.conditions):
                        prefix[later.name] = grid_values(later)[0]
                return prefix
        return None

    def populate_space(self, trial_id):
        if not self.trials:
            values = self._first_values()
        else:
            last = max(self.trials.values(), key=lambda t: int(t.trial_id))
            values = last.hyperparameters.values
            while True:
                values = self._next_values(values)
                if values is None:
                    return {"status": TrialStatus.STOPPED, "values": None}
                if oracle_module._values_hash(values) not in self._tried_so_far:
                    break
        return {"status": TrialStatus.RUNNING, "values": values}
