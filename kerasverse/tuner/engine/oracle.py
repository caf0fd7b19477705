"""`Oracle`: decides which hyperparameters each trial tries, and keeps the study."""

import contextlib
import hashlib
import json
import math
import os
import random
import socket
import threading
import time
import uuid
import weakref

import numpy as np

from kerasverse.tuner.engine import metrics_tracking
from kerasverse.tuner.engine import objective as objective_module
from kerasverse.tuner.engine import trial as trial_module
from kerasverse.tuner.engine.hyperparameters import Fixed
from kerasverse.tuner.engine.hyperparameters import HyperParameters
from kerasverse.tuner.engine.hyperparameters import deserialize as deserialize_hp

TrialStatus = trial_module.TrialStatus

# The oracles of this process by owner token: a RUNNING trial claimed by an
# oracle of this process that is gone, or no longer runs it, is orphaned.
_LIVE_ORACLES = weakref.WeakValueDictionary()
_HOST_KEY = None


def _host_key():
    """This machine (and PID namespace: containers share hostnames)."""
    global _HOST_KEY
    if _HOST_KEY is None:
        try:
            namespace = os.readlink("/proc/self/ns/pid")
        except OSError:
            namespace = ""
        _HOST_KEY = f"{socket.gethostname()}{namespace}".replace("|", "/")
    return _HOST_KEY


def new_owner():
    """A token naming one oracle in one process: `host|pid|random`."""
    return f"{_host_key()}|{os.getpid()}|{uuid.uuid4().hex[:12]}"


def _pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return None
    try:  # A killed process its parent has not reaped yet is a zombie.
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def claim_alive(owner, trial_id):
    """Whether the process that claimed `trial_id` still runs it: True or
    False when this process can tell (same machine), None otherwise."""
    try:
        host, pid, _ = owner.rsplit("|", 2)
        pid = int(pid)
    except (AttributeError, ValueError):
        return None
    if host != _host_key():
        return None
    if pid == os.getpid():
        oracle = _LIVE_ORACLES.get(owner)
        return oracle is not None and trial_id in oracle._running_here
    return _pid_alive(pid)


def _values_hash(values):
    text = json.dumps(dict(sorted(values.items())), sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


class Oracle:
    """Implements a hyperparameter search algorithm; keeps the study's trials.

    Subclasses override `populate_space(trial_id)`, returning
    `{"status": TrialStatus.RUNNING, "values": {...}}` for a new trial,
    `{"status": TrialStatus.STOPPED}` when the search is over, or
    `{"status": TrialStatus.IDLE}` when no trial can start yet (parallel
    search). Call order seen by a tuner: `create_trial(tuner_id)` ->
    `update_trial(...)` (and `report_intermediate_value(...)` each epoch) ->
    `end_trial(trial)`.

    All reads and writes of the study happen in an exclusive transaction of
    its `Storage`, so several processes (or machines) can share one study.

    Args:
        objective: A metric name, an `Objective`, or a list of them
            (multi-objective). None: the hypermodel's single return value,
            minimized.
        max_trials: The most trials to run (pruned and failed ones count).
        hyperparameters: Optional `HyperParameters` overriding parts of the
            search space.
        allow_new_entries: Whether the hypermodel may declare
            hyperparameters absent from `hyperparameters`.
        tune_new_entries: Whether those new entries are tuned (else they
            stay at their default).
        seed: Random seed.
        max_retries_per_trial: Times a trial that raised an error is re-run.
        max_consecutive_failed_trials: The search stops with a RuntimeError
            after this many failed trials in a row.
        pruner: Optional `Pruner` that stops unpromising trials early.

    Example:

    ```python
    class MyOracle(Oracle):
        def populate_space(self, trial_id):
            values = {hp.name: hp.random_sample() for hp in self.hyperparameters.space}
            return {"status": TrialStatus.RUNNING, "values": values}
    ```
    """

    def __init__(
        self,
        objective=None,
        max_trials=None,
        hyperparameters=None,
        allow_new_entries=True,
        tune_new_entries=True,
        seed=None,
        max_retries_per_trial=0,
        max_consecutive_failed_trials=3,
        pruner=None,
    ):
        self.objective = objective_module.create_objective(objective)
        if max_trials is not None and (not isinstance(max_trials, int) or max_trials < 1):
            raise ValueError(
                f"`max_trials` must be a positive int or None. Received: max_trials={max_trials!r}"
            )
        self.max_trials = max_trials
        self.hyperparameters = hyperparameters.copy() if hyperparameters else HyperParameters()
        self.allow_new_entries = allow_new_entries
        self.tune_new_entries = tune_new_entries
        self.seed = seed if seed is not None else random.randint(1, 10000)
        self._seed_state = self.seed
        self.max_retries_per_trial = max_retries_per_trial
        self.max_consecutive_failed_trials = max_consecutive_failed_trials
        self.pruner = pruner
        self.trials = {}
        self.ongoing_trials = {}
        self._tried_so_far = set()
        self._retry_queue = []
        self._retry_counts = {}
        self._consecutive_failures = 0
        self._max_collisions = 20
        self._storage = None
        self._revision = 0
        self._dirty = set()
        self._lock = threading.RLock()
        self.directory = None
        self.project_name = None
        # A RUNNING trial whose tuner sent no heartbeat for this many seconds
        # (its process died or hangs) is handed to the next tuner that asks;
        # on the same machine a dead process's trial is handed over at once.
        # Set with the tuner's `heartbeat_timeout=`.
        self.heartbeat_timeout = 120.0
        self._init_claims()

    def _init_claims(self):
        # Trials are claimed by this oracle in this process (`owner`), not by
        # a tuner id: processes that share an id never take each other's.
        self._owner = new_owner()
        _LIVE_ORACLES[self._owner] = self
        self._running_here = {}  # trial_id -> Trial, claimed by this oracle.
        self._taken_over = {}  # trial_id -> the stored Trial another owner took.

    # ------------------------------------------------------------------
    # Storage and synchronisation.
    def _set_storage(self, storage, study_name, overwrite=False):
        """Attaches the oracle to `storage`, loading the study if it exists."""
        storage.open_study(study_name, overwrite=overwrite)
        self._storage = storage
        self._revision = 0
        with self._synchronized():
            if self._storage_state_missing:
                self._dirty.add("__state__")

    def _set_project_dir(self, directory, project_name, overwrite=False, storage=None):
        import os

        from kerasverse.tuner import storage as storage_module

        self.directory = directory
        self.project_name = project_name
        project_dir = os.path.join(directory, project_name)
        self._set_storage(storage_module.get_storage(storage, project_dir), project_name, overwrite)

    @contextlib.contextmanager
    def _synchronized(self):
        """Exclusive access to the study: pulls others' changes, pushes ours."""
        with self._lock:
            if self._storage is None:
                self._storage_state_missing = False
                yield
                self._dirty.clear()
                return
            with self._storage.transaction() as txn:
                revision = txn.revision()
                self._storage_state_missing = False
                if revision != self._revision:
                    state = txn.state()
                    if state is None:
                        self._storage_state_missing = True
                    else:
                        self.set_state(state)
                    for config in txn.trials_since(self._revision):
                        self._load_trial(trial_module.Trial.from_config(config))
                    self._revision = revision
                elif revision == 0:
                    self._storage_state_missing = True
                yield
                if self._dirty:
                    configs = [
                        self.trials[trial_id].get_config()
                        for trial_id in sorted(self._dirty - {"__state__"})
                        if trial_id not in self._taken_over
                    ]
                    self._revision = txn.write(configs, self.get_state())
                    self._dirty.clear()

    def _refresh(self):
        """Pulls others' changes without taking the study's write lock."""
        with self._lock:
            if self._storage is None:
                return
            with self._storage.transaction(write=False) as txn:
                revision = txn.revision()
                if revision != self._revision:
                    state = txn.state()
                    if state is not None:
                        self.set_state(state)
                    for config in txn.trials_since(self._revision):
                        self._load_trial(trial_module.Trial.from_config(config))
                    self._revision = revision

    def _load_trial(self, trial):
        if trial.trial_id in self._running_here:
            # Another process wrote a trial this one runs: it took the trial
            # over (no heartbeat for `heartbeat_timeout`). `end_trial` decides.
            if trial.owner != self._owner:
                self._taken_over[trial.trial_id] = trial
            return
        existing = self.trials.get(trial.trial_id)
        if existing is not None:
            existing.__dict__.update(trial.__dict__)
            trial = existing
        else:
            self.trials[trial.trial_id] = trial
        self._tried_so_far.add(_values_hash(trial.hyperparameters.values))
        for tuner_id, ongoing in list(self.ongoing_trials.items()):
            if ongoing.trial_id == trial.trial_id and (
                trial.status != TrialStatus.RUNNING or trial.tuner_id != tuner_id
            ):
                del self.ongoing_trials[tuner_id]
        if trial.status == TrialStatus.RUNNING and trial.tuner_id is not None:
            self.ongoing_trials[trial.tuner_id] = trial

    def _mark(self, trial):
        self._dirty.add(trial.trial_id)

    def reload(self):
        """Brings the oracle up to date with its storage."""
        self._refresh()

    def save(self):
        """Writes the oracle state (trials are written as they change)."""
        with self._synchronized():
            self._dirty.add("__state__")

    def __getstate__(self):
        state = dict(self.__dict__)
        state.pop("_lock", None)
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._lock = threading.RLock()
        self._init_claims()  # A copy in another process claims its own trials.

    # ------------------------------------------------------------------
    # State.
    def get_state(self):
        return {
            "seed": self.seed,
            "seed_state": self._seed_state,
            "space": self.hyperparameters.get_config()["space"],
            "retry_queue": list(self._retry_queue),
            "retry_counts": dict(self._retry_counts),
            "consecutive_failures": self._consecutive_failures,
            "objective": objective_module.serialize(self.objective),
        }

    def set_state(self, state):
        self.seed = state["seed"]
        self._seed_state = state["seed_state"]
        space = [deserialize_hp(config) for config in state["space"]]
        hps = HyperParameters()
        for hp in space:
            hps._hps[hp.name].append(hp)
            hps._space.append(hp)
        hps.values = {hp.name: hp.default for hp in space if hps.is_active(hp)}
        self.hyperparameters = hps
        self._retry_queue = list(state.get("retry_queue", []))
        self._retry_counts = dict(state.get("retry_counts", {}))
        self._consecutive_failures = state.get("consecutive_failures", 0)
        self._stored_objective = state.get("objective")

    # ------------------------------------------------------------------
    # The search space.
    def get_space(self):
        """A copy of the search space (values: defaults)."""
        with self._lock:
            hps = self.hyperparameters.copy()
        hps.values = {}
        hps.ensure_active_values()
        return hps

    def update_space(self, hyperparameters):
        """Adds the hyperparameters the hypermodel declared to the space."""
        new_hps = self._new_entries(hyperparameters)
        if not new_hps:
            return
        with self._synchronized():
            self._merge_new_entries(new_hps)

    def _new_entries(self, hyperparameters):
        return [
            hp for hp in hyperparameters.space
            if not self.hyperparameters._exists(hp.name, hp.conditions)
        ]

    def _merge_new_entries(self, new_hps):
        new_hps = [hp for hp in new_hps if not self.hyperparameters._exists(hp.name, hp.conditions)]
        if not new_hps:
            return
        if not self.allow_new_entries:
            raise RuntimeError(
                f"`allow_new_entries` is False, but the hypermodel declared new "
                f"hyperparameters: {new_hps}. Declare them in `hyperparameters=` or "
                "pass allow_new_entries=True."
            )
        if not self.tune_new_entries:
            new_hps = [
                Fixed(hp.name, hp.default, conditions=hp.conditions) for hp in new_hps
            ]
        self.hyperparameters.merge(new_hps, overwrite=False)
        self._dirty.add("__state__")

    # ------------------------------------------------------------------
    # The trial lifecycle.
    def _next_trial_id(self):
        width = len(str(self.max_trials))
        return f"{len(self.trials):0{width}d}"

    def create_trial(self, tuner_id):
        """A new trial for the tuner `tuner_id` (or its interrupted one).

        Returns:
            A `Trial`; its status is RUNNING to run it, STOPPED when the search
            is over, IDLE when the tuner should ask again later.
        """
        with self._synchronized():
            ongoing = self.ongoing_trials.get(tuner_id)
            if ongoing is not None and self._running_here.get(ongoing.trial_id) is ongoing:
                # Asked again by the same tuner of this oracle (keras_tuner's
                # semantics of a tuner id): the same trial, run from scratch.
                self._start(ongoing, tuner_id)
                return ongoing
            orphan = self._orphaned_trial(tuner_id)
            if orphan is not None:
                # Interrupted (its process died or its search raised): run it
                # again from scratch, preferably by the tuner that ran it.
                self._start(orphan, tuner_id)
                return orphan
            if self._retry_queue:
                trial = self.trials[self._retry_queue.pop(0)]
                trial.status = TrialStatus.RUNNING
                self._start(trial, tuner_id)
                return trial
            trial_id = self._next_trial_id()
            if self.max_trials is not None and len(self.trials) >= self.max_trials:
                status, values = TrialStatus.STOPPED, None
            else:
                response = self.populate_space(trial_id)
                status = response["status"]
                values = response.get("values")
            if status == TrialStatus.STOPPED and self._others_running():
                # Wait: a trial running elsewhere may be orphaned and need a tuner.
                status = TrialStatus.IDLE
            hps = self.hyperparameters.copy()
            hps.values = dict(values or {})
            trial = trial_module.Trial(hps, trial_id=trial_id, status=status)
            if status == TrialStatus.RUNNING:
                self.trials[trial_id] = trial
                self._tried_so_far.add(_values_hash(hps.values))
                self._start(trial, tuner_id)
            return trial

    def _is_orphaned(self, trial, now):
        """A RUNNING trial that no live tuner runs (and that is not waiting
        in the retry queue)."""
        if trial.status != TrialStatus.RUNNING or trial.trial_id in self._retry_queue:
            return False
        if trial.owner is None:
            return True  # Released by its tuner (or a study of an older version).
        if (
            self.heartbeat_timeout
            and trial.heartbeat is not None
            and now - trial.heartbeat > self.heartbeat_timeout
        ):
            return True
        if trial.trial_id in self._running_here:
            return False
        return claim_alive(trial.owner, trial.trial_id) is False

    def _orphaned_trial(self, tuner_id):
        now = time.time()
        orphans = [t for t in self.trials.values() if self._is_orphaned(t, now)]
        if not orphans:
            return None
        orphans.sort(key=lambda t: (t.tuner_id != tuner_id, t.started or 0.0))
        trial = orphans[0]
        if self.ongoing_trials.get(trial.tuner_id) is trial:
            del self.ongoing_trials[trial.tuner_id]
        return trial

    def _others_running(self):
        """Whether another tuner runs a trial that could still be orphaned
        (only tracked with a heartbeat timeout)."""
        if not self.heartbeat_timeout:
            return False
        return any(
            t.status == TrialStatus.RUNNING
            and t.trial_id not in self._retry_queue
            and t.trial_id not in self._running_here
            for t in self.trials.values()
        )

    def heartbeat(self, trial_id):
        """Tells the study that the tuner running `trial_id` is alive."""
        with self._synchronized():
            if trial_id in self._taken_over:
                return
            trial = self.trials[trial_id]
            trial.heartbeat = time.time()
            self._mark(trial)

    def _start(self, trial, tuner_id):
        trial.tuner_id = tuner_id
        trial.owner = self._owner
        trial.heartbeat = time.time()
        trial.started = time.time()
        trial.pruned_step = None
        trial.intermediate_values = {}
        trial.metrics = metrics_tracking.MetricsTracker()
        trial.message = None
        self.ongoing_trials[tuner_id] = trial
        self._running_here[trial.trial_id] = trial
        self._mark(trial)

    def _release_claim(self, trial_id):
        self._running_here.pop(trial_id, None)
        return self._taken_over.pop(trial_id, None)

    def abandon_trial(self, trial_id):
        """Gives up a trial this oracle runs (its search raised), so that the
        next tuner that asks runs it again at once (best effort)."""
        with self._lock:
            if trial_id not in self._running_here:
                return
            try:
                with self._synchronized():
                    taken = self._release_claim(trial_id)
                    if taken is None:
                        trial = self.trials[trial_id]
                        trial.owner = None
                        self._mark(trial)
            except Exception:  # The storage may be what failed.
                self._release_claim(trial_id)

    def get_trial(self, trial_id):
        return self.trials[trial_id]

    def update_trial(self, trial_id, metrics, step=0):
        """Records `metrics` (a dict) of a trial at `step`; returns its status.

        The metrics reach the storage with the next transaction (at the
        latest `end_trial`): a crash before that reruns the trial anyway.
        """
        with self._lock:
            trial = self.trials[trial_id]
            metrics = dict(metrics)
            objective = self.objective
            if (
                isinstance(objective, objective_module.MultiObjective)
                and objective.name not in metrics
                and objective.has_value(metrics)
            ):
                metrics[objective.name] = objective.get_value(metrics)
            for name, value in metrics.items():
                if not trial.metrics.exists(name):
                    trial.metrics.register(name, direction=self._direction_of(name))
                trial.metrics.update(name, float(value), step=step)
            self._mark(trial)
            return trial.status

    def _direction_of(self, name):
        if name == self.objective.name:
            return self.objective.direction
        if isinstance(self.objective, objective_module.MultiObjective):
            if name in self.objective.name_to_direction:
                return self.objective.name_to_direction[name]
        return objective_module.infer_direction(name) or "min"

    def report_intermediate_value(self, trial_id, value, step):
        """Records the objective's value at `step` (an epoch) and asks the
        pruner whether to stop the trial.

        Returns:
            True when the trial should stop (it ends as PRUNED).
        """
        value = float(value)
        with self._synchronized():
            if trial_id in self._taken_over:
                return True  # Another tuner runs it now: stop.
            trial = self.trials[trial_id]
            trial.intermediate_values[int(step)] = value
            trial.heartbeat = time.time()
            prune = False
            if self.pruner is not None and not math.isnan(value):
                prune = bool(self.pruner.prune(self, trial))
                if prune:
                    trial.pruned_step = int(step)
            self._mark(trial)
            return prune

    def end_trial(self, trial):
        """Records the end of a trial: COMPLETED (scored), FAILED, or RUNNING
        (an error to retry)."""
        new_hps = self._new_entries(trial.hyperparameters)
        with self._synchronized():
            taken = self._release_claim(trial.trial_id)
            if new_hps:
                self._merge_new_entries(new_hps)
            stored = self.trials[trial.trial_id]
            if taken is not None and (
                taken.status != TrialStatus.RUNNING or trial.status != TrialStatus.COMPLETED
            ):
                # This tuner stalled past `heartbeat_timeout` and another took
                # the trial over: its run (finished, or still going) counts.
                stored.__dict__.update(taken.__dict__)
                self._dirty.discard(trial.trial_id)
                return
            if stored is not trial:
                stored.status = trial.status
                stored.message = trial.message
                stored.hyperparameters = trial.hyperparameters
            trial = stored
            trial.owner = None
            for tuner_id, ongoing in list(self.ongoing_trials.items()):
                if ongoing.trial_id == trial.trial_id:
                    del self.ongoing_trials[tuner_id]
            trial.tuner_id = None
            self._mark(trial)
            self._dirty.add("__state__")
            if trial.status == TrialStatus.RUNNING:
                count = self._retry_counts.get(trial.trial_id, 0)
                if count < self.max_retries_per_trial:
                    self._retry_counts[trial.trial_id] = count + 1
                    self._retry_queue.append(trial.trial_id)
                    return
                trial.status = TrialStatus.FAILED
            trial.ended = time.time()
            if trial.status == TrialStatus.COMPLETED:
                self._check_objective_found(trial)
                self.score_trial(trial)
                if trial.score is None or (isinstance(trial.score, float) and math.isnan(trial.score)):
                    trial.status = TrialStatus.INVALID
                elif trial.pruned_step is not None:
                    trial.status = TrialStatus.PRUNED
            if trial.status == TrialStatus.FAILED:
                self._consecutive_failures += 1
                if (
                    self.max_consecutive_failed_trials is not None
                    and self._consecutive_failures >= self.max_consecutive_failed_trials
                ):
                    # Keep the failure in the study before stopping the search.
                    self._pending_error = RuntimeError(
                        "Number of consecutive failures exceeded the limit of "
                        f"{self.max_consecutive_failed_trials}.\n{trial.message or ''}"
                    )
            elif trial.status in (TrialStatus.COMPLETED, TrialStatus.PRUNED):
                self._consecutive_failures = 0
        error = getattr(self, "_pending_error", None)
        if error is not None:
            self._pending_error = None
            raise error

    def _check_objective_found(self, trial):
        names = (
            list(self.objective.name_to_direction)
            if isinstance(self.objective, objective_module.MultiObjective)
            else [self.objective.name]
        )
        missing = [name for name in names if not trial.metrics.exists(name)]
        if missing:
            raise ValueError(
                "Objective value missing in metrics reported to the Oracle, expected: "
                f"{names}, found: {sorted(trial.metrics.metrics)}. Check the objective "
                "name (e.g. 'val_accuracy' needs validation data and the 'accuracy' metric)."
            )

    def score_trial(self, trial):
        """Sets `trial.score` and `trial.best_step` from its metrics."""
        trial.score = trial.metrics.get_best_value(self.objective.name)
        trial.best_step = trial.metrics.get_best_step(self.objective.name) or 0

    # ------------------------------------------------------------------
    # Results.
    def get_best_trials(self, num_trials=1):
        """The best COMPLETED trials, best first."""
        self._refresh()
        with self._lock:
            trials = [
                t for t in self.trials.values()
                if t.status == TrialStatus.COMPLETED and t.score is not None
            ]
        reverse = self.objective.direction == "max"
        trials.sort(key=lambda t: t.score, reverse=reverse)
        return trials[:num_trials]

    def _objective_vector(self, trial):
        objectives = (
            self.objective.objectives
            if isinstance(self.objective, objective_module.MultiObjective)
            else [self.objective]
        )
        vector = []
        for objective in objectives:
            if not trial.metrics.exists(objective.name):
                return None
            value = trial.metrics.get_history(objective.name)[-1][1]
            step = trial.best_step
            history = dict(trial.metrics.get_history(objective.name))
            value = history.get(step, value)
            vector.append(value if objective.direction == "min" else -value)
        return np.asarray(vector, dtype=float)

    def get_pareto_front(self):
        """The COMPLETED trials no other trial dominates on every objective.

        With one objective this is the best trial(s). Trials are ordered by
        their first objective.
        """
        self._refresh()
        with self._lock:
            trials = [t for t in self.trials.values() if t.status == TrialStatus.COMPLETED]
        points = [(t, self._objective_vector(t)) for t in trials]
        points = [(t, v) for t, v in points if v is not None and np.all(np.isfinite(v))]
        front = []
        for trial, vector in points:
            dominated = any(
                np.all(other <= vector) and np.any(other < vector) for _, other in points
            )
            if not dominated:
                front.append((trial, vector))
        front.sort(key=lambda item: tuple(item[1]))
        return [trial for trial, _ in front]

    @property
    def remaining_trials(self):
        if self.max_trials is None:
            return None
        self._refresh()
        return max(self.max_trials - len(self.trials), 0)

    # ------------------------------------------------------------------
    # Helpers for subclasses.
    def populate_space(self, trial_id):
        """Returns `{"status": ..., "values": {...}}` for a new trial. Override."""
        raise NotImplementedError

    def _random_values(self):
        """Random values for the active hyperparameters, not tried before; None
        after too many collisions."""
        for _ in range(self._max_collisions):
            values = {}
            for hp in self.hyperparameters.space:
                if hp.name in values:
                    continue
                if all(c.is_active(values) for c in hp.conditions):
                    values[hp.name] = hp.random_sample(self._seed_state)
                    self._seed_state += 1
            values_hash = _values_hash(values)
            if values_hash not in self._tried_so_far:
                self._tried_so_far.add(values_hash)
                return values
        return None

    def _compute_values_hash(self, values):
        return _values_hash(values)
