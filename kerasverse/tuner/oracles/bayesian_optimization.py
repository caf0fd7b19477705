"""`BayesianOptimizationOracle`: a Gaussian process proposes each trial."""

import math

import numpy as np

from kerasverse.tuner.engine import oracle as oracle_module
from kerasverse.tuner.engine.hyperparameters import Choice
from kerasverse.tuner.engine.hyperparameters import Fixed
from kerasverse.tuner.engine.trial import TrialStatus

# scipy.stats and the GP (scipy.optimize) are imported when first used: they
# take seconds to import, and every search process imports the oracles.


class _Encoder:
    """Maps hyperparameter values to the unit cube and back.

    Numbers and ordered choices take one dimension (their cumulative
    probability, so log sampling is searched in log space); unordered
    choices are one-hot encoded; `Fixed` values take none.
    """

    def __init__(self, space):
        self.hps = []
        seen = set()
        for hp in space:
            if hp.name in seen or isinstance(hp, Fixed):
                continue
            seen.add(hp.name)
            self.hps.append(hp)
        self.slices = []
        start = 0
        for hp in self.hps:
            width = len(hp.values) if self._one_hot(hp) else 1
            self.slices.append(slice(start, start + width))
            start += width
        self.dims = start
        # By identity: `HyperParameter.__eq__` compares configs (slow in a loop).
        self._slice_of = {id(hp): where for hp, where in zip(self.hps, self.slices)}

    @staticmethod
    def _one_hot(hp):
        return isinstance(hp, Choice) and not hp.ordered and len(hp.values) > 1

    def encode(self, values):
        vector = np.zeros(self.dims)
        for hp, where in zip(self.hps, self.slices):
            value = values.get(hp.name, hp.default)
            if self._one_hot(hp):
                vector[where] = 0.0
                if value in hp.values:
                    vector[where.start + hp.values.index(value)] = 1.0
            else:
                try:
                    vector[where.start] = hp.value_to_prob(value)
                except (ValueError, TypeError):
                    vector[where.start] = 0.5
        return vector

    def decode(self, vector, space):
        values = {}
        for hp in space:
            if hp.name in values or not all(c.is_active(values) for c in hp.conditions):
                continue
            where = self._slice_of.get(id(hp))
            if where is None and not isinstance(hp, Fixed) and hp in self.hps:
                where = self.slices[self.hps.index(hp)]
            if where is None:
                values[hp.name] = hp.default if not isinstance(hp, Fixed) else hp.value
                continue
            if self._one_hot(hp):
                values[hp.name] = hp.values[int(np.argmax(vector[where]))]
            else:
                prob = float(np.clip(vector[where.start], 0.0, 1.0 - 1e-9))
                values[hp.name] = hp.prob_to_value(prob)
        return values


_CONTROLLER = []


def _blas_controller():
    """A cached `ThreadpoolController` (building one scans the loaded libraries)."""
    if not _CONTROLLER:
        import threadpoolctl

        _CONTROLLER.append(threadpoolctl.ThreadpoolController())
    return _CONTROLLER[0]


def _maximize(acquisition, incumbents, dims, rng, num_random=2000, num_local=256, num_rounds=6):
    """Maximizes `acquisition` over the unit cube.

    A random pool plus perturbations of the best observed points is scored;
    then each round perturbs the current best candidates with a shrinking
    step (a batched multi-start local search, all vectorized). Returns the
    candidates, best first.
    """
    pool = [rng.random((num_random, dims))]
    for scale in (0.1, 0.02):
        local = incumbents[rng.integers(len(incumbents), size=num_local)]
        pool.append(np.clip(local + rng.normal(scale=scale, size=local.shape), 0.0, 1.0))
    pool = np.concatenate(pool)
    scores = acquisition(pool)
    order = np.argsort(-scores)
    starts, start_scores = pool[order[:8]], scores[order[:8]]
    scale = 0.05
    for _ in range(num_rounds):
        parents = np.repeat(starts, num_local // len(starts), axis=0)
        children = np.clip(parents + rng.normal(scale=scale, size=parents.shape), 0.0, 1.0)
        child_scores = acquisition(children).reshape(len(starts), -1)
        best = np.argmax(child_scores, axis=1)
        improved = child_scores[np.arange(len(starts)), best] > start_scores
        children = children.reshape(len(starts), -1, dims)
        starts[improved] = children[np.arange(len(starts)), best][improved]
        start_scores[improved] = child_scores[np.arange(len(starts)), best][improved]
        scale *= 0.35
    ranked = starts[np.argsort(-start_scores)]
    return list(ranked) + list(pool[order[8:200]])


class BayesianOptimizationOracle(oracle_module.Oracle):
    """Bayesian optimization with a Gaussian process.

    The first `num_initial_points` trials are a scrambled Sobol design; then
    a GP (Matern 5/2 with one lengthscale per dimension, hyperparameters
    fitted by marginal likelihood) models the objective, and the next trial
    maximizes the acquisition: expected improvement by default, or
    keras_tuner's upper confidence bound `mean - beta * std` with
    `acquisition="ucb"`. The acquisition is optimized by a large random and
    local candidate pool, polished with L-BFGS-B.

    Args:
        objective: A metric name, an `Objective` or a list of them.
        max_trials: The number of trials (default 10).
        num_initial_points: Trials before the GP is used (default: 3 per
            dimension, at least 2).
        alpha: The smallest noise variance of the GP (keras_tuner's `alpha`).
        beta: The exploration weight of `acquisition="ucb"`.
        seed: Random seed.
        acquisition: `"ei"` (expected improvement) or `"ucb"`.
        hyperparameters, allow_new_entries, tune_new_entries,
        max_retries_per_trial, max_consecutive_failed_trials, pruner: see
            `Oracle`.

    Example:

    ```python
    oracle = BayesianOptimizationOracle(Objective("loss", "min"), max_trials=30)
    ```
    """

    def __init__(
        self,
        objective=None,
        max_trials=10,
        num_initial_points=None,
        alpha=1e-4,
        beta=2.6,
        seed=None,
        hyperparameters=None,
        allow_new_entries=True,
        tune_new_entries=True,
        max_retries_per_trial=0,
        max_consecutive_failed_trials=3,
        acquisition="ei",
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
        if acquisition not in ("ei", "ucb"):
            raise ValueError(
                f"`acquisition` must be 'ei' or 'ucb'. Received: acquisition={acquisition!r}"
            )
        if num_initial_points is not None and num_initial_points < 1:
            raise ValueError(
                "`num_initial_points` must be >= 1. "
                f"Received: num_initial_points={num_initial_points!r}"
            )
        self.num_initial_points = num_initial_points
        self.alpha = alpha
        self.beta = beta
        self.acquisition = acquisition
        self._gp = None

    def _initial_points(self, dims):
        if self.num_initial_points is not None:
            return self.num_initial_points
        return max(2, 3 * dims)

    def populate_space(self, trial_id):
        encoder = _Encoder(self.hyperparameters.space)
        if encoder.dims == 0:
            values = self._random_values()
            status = TrialStatus.RUNNING if values is not None else TrialStatus.STOPPED
            return {"status": status, "values": values}
        scored = [
            t for t in self.trials.values()
            if t.status == TrialStatus.COMPLETED and t.score is not None
            and math.isfinite(t.score)
        ]
        if len(self.trials) < self._initial_points(encoder.dims) or len(scored) < 2:
            values = self._sobol_values(encoder)
        else:
            # Tiny matrices: BLAS threads only add contention.
            with _blas_controller().limit(limits=1):
                values = self._gp_values(encoder, scored)
        if values is None:
            return {"status": TrialStatus.STOPPED, "values": None}
        return {"status": TrialStatus.RUNNING, "values": values}

    def _sobol_values(self, encoder):
        index = len(self.trials)
        import scipy.stats

        sobol = scipy.stats.qmc.Sobol(encoder.dims, scramble=True, seed=self.seed)
        points = sobol.random(1 << max(1, math.ceil(math.log2(index + 1))))
        values = encoder.decode(points[index], self.hyperparameters.space)
        values_hash = oracle_module._values_hash(values)
        if values_hash in self._tried_so_far:
            return self._random_values()
        self._tried_so_far.add(values_hash)
        return values

    def _gp_values(self, encoder, scored):
        import scipy.special

        from kerasverse.tuner.oracles.gaussian_process import GaussianProcess

        x = np.stack([encoder.encode(t.hyperparameters.values) for t in scored])
        sign = 1.0 if self.objective.direction == "min" else -1.0
        y = np.asarray([sign * t.score for t in scored])
        if self._gp is None:
            self._gp = GaussianProcess(min_noise=self.alpha, seed=self.seed)
        if self._gp.params is not None and len(self._gp.params) != encoder.dims + 2:
            self._gp.params = None
        # A fresh random restart now and then; otherwise warm-start the fit.
        gp = self._gp.fit(x, y, num_restarts=2 if len(scored) % 10 == 0 else 1)
        best_y = float(np.min(y))
        rng = np.random.default_rng(self._seed_state)
        self._seed_state += 1

        def acquisition(points):
            mean, std = gp.predict(points)
            if self.acquisition == "ucb":
                return -(mean - self.beta * std)
            z = (best_y - mean) / std
            pdf = np.exp(-0.5 * z**2) / np.sqrt(2 * np.pi)
            return (best_y - mean) * scipy.special.ndtr(z) + std * pdf

        candidates = _maximize(acquisition, x[np.argsort(y)[:5]], encoder.dims, rng)
        for candidate in candidates:
            values = encoder.decode(candidate, self.hyperparameters.space)
            values_hash = oracle_module._values_hash(values)
            if values_hash not in self._tried_so_far:
                self._tried_so_far.add(values_hash)
                return values
        return self._random_values()

    def get_state(self):
        state = super().get_state()
        state.update(
            num_initial_points=self.num_initial_points, alpha=self.alpha, beta=self.beta,
            acquisition=self.acquisition,
        )
        return state

    def set_state(self, state):
        super().set_state(state)
        self.num_initial_points = state["num_initial_points"]
        self.alpha = state["alpha"]
        self.beta = state["beta"]
        self.acquisition = state.get("acquisition", "ei")
