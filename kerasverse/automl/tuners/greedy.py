"""`Greedy`: AutoKeras' greedy oracle — known-good configurations first, then
mutations of the best trial, one group of hyperparameters at a time."""

import copy

import numpy as np

from kerasverse.automl.tuners.auto_tuner import AutoTuner
from kerasverse.tuner.engine import oracle as oracle_module
from kerasverse.tuner.engine.hyperparameters import Fixed
from kerasverse.tuner.engine.trial import TrialStatus


def _groups(names):
    """Every prefix group of the `/`-separated names (a trie's nodes), each
    with the names under it."""
    groups = {(): list(names)}
    for name in names:
        parts = name.split("/")
        for i in range(1, len(parts) + 1):
            groups.setdefault(tuple(parts[:i]), []).append(name)
    return list(groups.values())


class GreedyOracle(oracle_module.Oracle):
    """Tries `initial_hps` first (without them: the search space's
    defaults, the blocks' known-good values), then, each trial, re-samples
    one group of hyperparameters (a block, a sub-block, or a single value;
    smaller groups are likelier) and keeps the best trial's values for the
    rest.

    Args:
        initial_hps: A list of `{name: value}` dicts tried first.
        seed: Random seed.
        objective, max_trials, hyperparameters, allow_new_entries,
        tune_new_entries, max_retries_per_trial, max_consecutive_failed_trials,
        pruner: see `Oracle`.

    Example:

    ```python
    oracle = GreedyOracle(objective="val_loss", max_trials=5, initial_hps=[{"optimizer": "adam"}])
    ```
    """

    def __init__(self, objective=None, max_trials=None, initial_hps=None, seed=None, **kwargs):
        super().__init__(objective=objective, max_trials=max_trials, seed=seed, **kwargs)
        self.initial_hps = copy.deepcopy(initial_hps) or []
        self._tried_initial_hps = [False] * len(self.initial_hps)

    def get_state(self):
        return {**super().get_state(), "initial_hps": self.initial_hps, "tried_initial_hps": self._tried_initial_hps}

    def set_state(self, state):
        super().set_state(state)
        self.initial_hps = state.get("initial_hps", self.initial_hps)
        self._tried_initial_hps = state.get("tried_initial_hps", self._tried_initial_hps)

    def _best_hps(self):
        best = self.get_best_trials(1)
        return best[0].hyperparameters.copy() if best else self.hyperparameters.copy()

    def populate_space(self, trial_id):
        for index, values in enumerate(self.initial_hps):
            if not self._tried_initial_hps[index]:
                self._tried_initial_hps[index] = True
                # Names of the space the configuration leaves out take their defaults.
                hps = self.hyperparameters.copy()
                hps.values = dict(values)
                hps.ensure_active_values()
                self._tried_so_far.add(self._compute_values_hash(hps.values))
                return {"status": TrialStatus.RUNNING, "values": dict(hps.values)}
        if not self.initial_hps:
            # No known-good configurations given: the blocks' defaults are
            # one (AutoKeras 3.0 mutates them already in its first trial).
            hps = self.hyperparameters.copy()
            hps.values = {}
            hps.ensure_active_values()
            values_hash = self._compute_values_hash(hps.values)
            if values_hash not in self._tried_so_far:
                self._tried_so_far.add(values_hash)
                return {"status": TrialStatus.RUNNING, "values": dict(hps.values)}
        rng = np.random.default_rng(self._seed_state)
        for _ in range(self._max_collisions):
            best = self._best_hps()
            names = [
                hp.name for hp in best.space
                if best.is_active(hp) and not isinstance(hp, Fixed) and not hp.name.startswith("tuner/")
            ]
            groups = _groups(names)
            if not names:
                break
            weights = np.array([1.0 / len(g) for g in groups])
            group = set(groups[rng.choice(len(groups), p=weights / weights.sum())])
            values = self._mutate(best, group)
            self._seed_state += 1
            if values is not None:
                return {"status": TrialStatus.RUNNING, "values": values}
        return {"status": TrialStatus.STOPPED, "values": None}

    def _mutate(self, best, group):
        values = {}
        for hp in self.hyperparameters.space:
            if hp.name in values or not all(c.is_active(values) for c in hp.conditions):
                continue
            if hp.name in best.values and hp.name not in group:
                values[hp.name] = best.values[hp.name]
            else:
                values[hp.name] = hp.random_sample(self._seed_state)
                self._seed_state += 1
        values_hash = self._compute_values_hash(values)
        if values_hash in self._tried_so_far:
            return None
        self._tried_so_far.add(values_hash)
        return values


class Greedy(AutoTuner):
    """AutoKeras' default tuner (see `GreedyOracle`).

    Args:
        hypermodel: The AutoModel's `Graph`.
        objective: The metric to optimize (default "val_loss").
        max_trials: The most trials (default 10).
        initial_hps: Configurations tried first.
        seed: Random seed.
        hyperparameters, tune_new_entries, allow_new_entries: see `Oracle`.
        **kwargs: `Tuner` arguments (directory, project_name, overwrite,
            max_model_size, storage, pruner, ...).

    Example:

    ```python
    clf = ak.ImageClassifier(tuner=ak.Greedy, max_trials=3)
    ```
    """

    def __init__(self, hypermodel=None, objective="val_loss", max_trials=10, initial_hps=None, seed=None,
                 hyperparameters=None, tune_new_entries=True, allow_new_entries=True, **kwargs):
        self.seed = seed
        oracle = GreedyOracle(
            objective=objective, max_trials=max_trials, initial_hps=initial_hps, seed=seed,
            hyperparameters=hyperparameters, tune_new_entries=tune_new_entries,
            allow_new_entries=allow_new_entries,
        )
        super().__init__(oracle=oracle, hypermodel=hypermodel, **kwargs)
