"""`BaseTuner`: the search loop, independent of Keras (used by `SklearnTuner`)."""

import contextlib
import copy
import gc
import os
import pickle
import shutil
import threading
import time
import traceback
import warnings

from kerasverse.tuner import errors
from kerasverse.tuner.engine import display as display_module
from kerasverse.tuner.engine import hypermodel as hypermodel_module
from kerasverse.tuner.engine import objective as objective_module
from kerasverse.tuner.engine import tuner_utils
from kerasverse.tuner.engine.trial import TrialStatus


class _Heartbeat:
    """Sends `oracle.heartbeat(trial_id)` every `heartbeat_timeout / 4`
    seconds while a trial runs, so that other tuners do not take it over.

    One thread for the whole search, started at its first trial (a thread
    per trial cost ~10 ms on a loaded machine).
    """

    def __init__(self, oracle):
        self.oracle = oracle
        timeout = oracle.heartbeat_timeout
        self.interval = None if not timeout or oracle._storage is None else timeout / 4
        self.trial_id = None
        self.lock = threading.Lock()  # Held while a heartbeat is written.
        self.closed = threading.Event()
        self.thread = None

    def _run(self):
        while not self.closed.wait(self.interval):
            with self.lock:
                if self.trial_id is None:
                    continue
                try:
                    self.oracle.heartbeat(self.trial_id)
                except Exception:  # The next heartbeat may succeed.
                    pass

    @contextlib.contextmanager
    def beating(self, trial_id):
        """Heartbeats for `trial_id` inside the block (none after it)."""
        if self.interval and self.thread is None:
            self.thread = threading.Thread(target=self._run, name="kerasverse-heartbeat", daemon=True)
            self.thread.start()
        with self.lock:
            self.trial_id = trial_id
        try:
            yield
        finally:
            with self.lock:
                self.trial_id = None

    def close(self):
        self.closed.set()
        if self.thread is not None:
            self.thread.join()


@contextlib.contextmanager
def _frozen_heap():
    """Moves the objects alive before the search out of the garbage
    collector's reach (`gc.freeze()`) until it ends, so that collecting after
    a trial scans only what the search made (a process that imported Keras
    tracks ~200k objects: a full collection took 0.5-0.7 s per trial)."""
    if gc.get_freeze_count():  # Frozen already (an outer search, or the program).
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


class BaseTuner:
    """The search loop: asks the oracle for trials and runs them.

    Subclasses override `run_trial(trial, *args, **kwargs)`, returning a
    float, a dict of metrics, a History or a list of these. Hooks:
    `on_search_begin/end`, `on_trial_begin/end`.

    Args:
        oracle: The `Oracle` that picks the trials.
        hypermodel: A `HyperModel` or a function `build(hp)`.
        directory: The parent directory of the project (default ".").
        project_name: The study name and sub-directory
            (default "untitled_project").
        overwrite: Start over (True) or resume the study (False).
        tuner_id: The name of this tuner in the study (default: the
            `KERASTUNER_TUNER_ID` environment variable, else "tuner0"). A
            tuner restarted with the same id resumes its interrupted trial
            first. Processes sharing an id still run distinct trials.
        storage: None (an SQLite file `study.db` in the project directory),
            an SQLAlchemy URL such as PostgreSQL, ":memory:" or a `Storage`.
        pruner: An optional `Pruner` (given to the oracle).
        heartbeat_timeout: Seconds without a heartbeat after which a running
            trial of another process (a hung process, or one on another
            machine that died) is run again by the next tuner that asks
            (default: the oracle's, 120). A dead process on this machine is
            detected at once.
        verbose: 0 silent, 1 progress bar (also set by `search(verbose=)`).

    Example:

    ```python
    class MyTuner(BaseTuner):
        def run_trial(self, trial, x):
            return (trial.hyperparameters.Float("a", -1, 1) - x) ** 2
    ```
    """

    def __init__(
        self,
        oracle,
        hypermodel=None,
        directory=None,
        project_name=None,
        overwrite=False,
        tuner_id=None,
        storage=None,
        pruner=None,
        verbose=1,
        logger=None,
        heartbeat_timeout=None,
        **kwargs,
    ):
        if kwargs:
            raise TypeError(
                f"Unrecognized arguments for the tuner: {sorted(kwargs)}. "
                "Check their spelling against the tuner's signature."
            )
        from kerasverse.tuner.engine.oracle import Oracle

        if not isinstance(oracle, Oracle):
            raise ValueError(
                "Expected `oracle` argument to be an instance of `Oracle`. "
                f"Received: oracle={oracle!r} (of type {type(oracle).__name__})."
            )
        self.oracle = oracle
        self.hypermodel = hypermodel_module.get_hypermodel(hypermodel)
        if pruner is not None:
            oracle.pruner = pruner
        if heartbeat_timeout is not None:
            if (
                isinstance(heartbeat_timeout, bool)
                or not isinstance(heartbeat_timeout, (int, float))
                or heartbeat_timeout <= 0
            ):
                raise ValueError(
                    "`heartbeat_timeout` must be a positive number of seconds. "
                    f"Received: heartbeat_timeout={heartbeat_timeout!r}"
                )
            oracle.heartbeat_timeout = float(heartbeat_timeout)
        from kerasverse.tuner.engine import workers as workers_module

        if workers_module.is_reimporting_main():
            overwrite = False  # A worker importing the main script: the study is in use.
        self.directory = directory or "."
        self.project_name = project_name or "untitled_project"
        self.tuner_id = tuner_id or os.environ.get("KERASTUNER_TUNER_ID") or "tuner0"
        self.storage = storage
        self.verbose = verbose
        self.logger = logger
        if overwrite and storage is None and os.path.isdir(self.project_dir):
            shutil.rmtree(self.project_dir)
        os.makedirs(self.project_dir, exist_ok=True)
        self.oracle._set_project_dir(
            self.directory, self.project_name, overwrite=overwrite, storage=storage
        )

    @property
    def project_dir(self):
        return os.path.join(self.directory, self.project_name)

    def get_trial_dir(self, trial_id):
        path = os.path.join(self.project_dir, f"trial_{trial_id}")
        os.makedirs(path, exist_ok=True)
        return path

    # ------------------------------------------------------------------
    # The search loop.
    def _populate_initial_space(self):
        """Builds the hypermodel once per conditional branch to discover the
        whole search space before the first trial."""
        if self.hypermodel is None:
            return
        hp = self.oracle.get_space()
        self.hypermodel.declare_hyperparameters(hp)
        self.oracle.update_space(hp)
        never_active, once_active = [], []
        for _ in range(100):
            try:
                self._activate_all_conditions_build(hp)
            except errors.FatalError:
                raise
            except Exception:
                # Discovery is best effort: the trials will reveal the rest
                # (and report the error with its retries and status).
                self.oracle.update_space(hp)
                return
            self.oracle.update_space(hp)
            for conditions in hp.active_scopes:
                if conditions not in once_active:
                    once_active.append(list(conditions))
                if conditions in never_active:
                    never_active.remove(conditions)
            for conditions in hp.inactive_scopes:
                if conditions not in once_active and conditions not in never_active:
                    never_active.append(list(conditions))
            if not never_active:
                break
            hp = self.oracle.get_space()
            conditions = never_active.pop(0)
            for condition in conditions:
                hp.values[condition.name] = condition.values[0]
            hp.ensure_active_values()

    def _activate_all_conditions_build(self, hp):
        self.hypermodel.build(hp)

    def search(self, *fit_args, **fit_kwargs):
        """Runs the search. Arguments go to `run_trial` (for `Tuner`: to
        `model.fit`), except these three:

        - `workers=N`: N trials at a time, sharing the study through its
          storage (default 1: in this process).
        - `executor="processes"` (default): the N workers are local
          processes; `executor="ray"`: they are Ray tasks, on a Ray started
          on this machine, or on a cluster given by `ray_address`.
        - `ray_address`: None (the running Ray or a new local one), `"auto"`
          (the cluster of `ray start`) or `"ray://host:10001"`. Workers on
          other machines need a database URL as `storage=` (not SQLite).
        """
        workers = fit_kwargs.pop("workers", 1)
        executor = fit_kwargs.pop("executor", "processes")
        ray_address = fit_kwargs.pop("ray_address", None)
        if "verbose" in fit_kwargs:
            self.verbose = fit_kwargs["verbose"]
        if not isinstance(workers, int) or workers < 1:
            raise ValueError(f"`workers` must be an int >= 1. Received: workers={workers!r}")
        if executor not in ("processes", "ray"):
            raise ValueError(
                "`executor` must be 'processes' (local worker processes) or 'ray'. "
                f"Received: executor={executor!r}"
            )
        if ray_address is not None and executor != "ray":
            raise ValueError(
                "`ray_address` is only used with `executor='ray'`. "
                f"Received: ray_address={ray_address!r} with executor={executor!r}."
            )
        from kerasverse.tuner.engine import workers as workers_module

        workers_module.exit_if_reimporting_main()
        tuner_utils.warn_if_kerastuner_variables()
        self.on_search_begin()
        if executor == "ray":
            from kerasverse.tuner.engine import ray_executor

            self._populate_initial_space()
            ray_executor.run_ray_workers(self, workers, fit_args, fit_kwargs, ray_address)
            self.oracle.reload()
            self.on_search_end()
            return
        if workers > 1:
            self._populate_initial_space()
            workers_module.run_workers(self, workers, fit_args, fit_kwargs)
            self.oracle.reload()
            self.on_search_end()
            return
        self._populate_initial_space()
        self._release_memory()
        with _frozen_heap():
            self._search_loop(fit_args, fit_kwargs)
        self.on_search_end()

    def _search_loop(self, fit_args, fit_kwargs):
        self._progress = display_module.ProgressBar(
            self.oracle.max_trials, verbose=self.verbose if self._shows_progress else 0
        )
        self._heartbeat = _Heartbeat(self.oracle)
        try:
            while True:
                self.pre_create_trial()
                trial = self.oracle.create_trial(self.tuner_id)
                if trial.status == TrialStatus.STOPPED:
                    break
                if trial.status == TrialStatus.IDLE:
                    # Others run the last trials; one may need to be run again.
                    self._update_progress()
                    time.sleep(0.2)
                    continue
                try:
                    self.on_trial_begin(trial)
                    self._try_run_and_update_trial(trial, *fit_args, **fit_kwargs)
                except BaseException:
                    self.oracle.abandon_trial(trial.trial_id)
                    raise
                self.on_trial_end(trial)
            self._update_progress()
        finally:
            self._heartbeat.close()
            self._progress.close()

    _shows_progress = True

    def _try_run_and_update_trial(self, trial, *fit_args, **fit_kwargs):
        try:
            heartbeat = getattr(self, "_heartbeat", None)
            with heartbeat.beating(trial.trial_id) if heartbeat else contextlib.nullcontext():
                self._run_and_update_trial(trial, *fit_args, **fit_kwargs)
            trial.status = TrialStatus.COMPLETED
            trial.message = None
        except Exception as error:
            if isinstance(error, errors.FatalError):
                raise
            trial.message = traceback.format_exc()
            if isinstance(error, errors.FailedTrialError):
                trial.status = TrialStatus.FAILED
            else:
                trial.status = TrialStatus.RUNNING  # Retried, or FAILED by the oracle.
            if self.verbose:
                warnings.warn(
                    f"Trial {trial.trial_id} raised {type(error).__name__}: {error}",
                    stacklevel=2,
                )

    def _run_and_update_trial(self, trial, *fit_args, **fit_kwargs):
        results = self.run_trial(trial, *fit_args, **fit_kwargs)
        stored = self.oracle.get_trial(trial.trial_id)
        if stored.metrics.exists(self.oracle.objective.name) and results is None:
            # `run_trial` reported through `oracle.update_trial` itself (legacy).
            return
        tuner_utils.validate_trial_results(results, self.oracle.objective, "Tuner.run_trial()")
        self.oracle.update_trial(
            trial.trial_id,
            tuner_utils.convert_to_metrics_dict(results, self.oracle.objective),
            step=tuner_utils.get_best_step(results, self.oracle.objective),
        )

    def run_trial(self, trial, *fit_args, **fit_kwargs):
        """Evaluates one trial. Override; return the results."""
        raise NotImplementedError

    # ------------------------------------------------------------------
    # Hooks.
    def on_search_begin(self):
        pass

    def on_search_end(self):
        pass

    def pre_create_trial(self):
        pass

    def on_trial_begin(self, trial):
        pass

    def on_trial_end(self, trial):
        self.oracle.end_trial(trial)
        self._update_progress(last_status=self.oracle.trials[trial.trial_id].status)

    def _update_progress(self, last_status=None):
        """Moves the progress bar to the study's finished trials (all
        processes' trials); without `last_status`, only when that changed."""
        progress = getattr(self, "_progress", None)
        if progress is None:
            return
        best = self.oracle.get_best_trials(1)  # Reads others' changes too.
        done = sum(1 for t in self.oracle.trials.values() if t.status != TrialStatus.RUNNING)
        if last_status is None and done == progress.done:
            return
        progress.update(
            done,
            best=best[0].score if best else None,
            objective_name=self.oracle.objective.name,
            last_status=last_status,
        )

    def _release_memory(self):
        """Frees what the last trial left (`Tuner`: its Keras models)."""

    # ------------------------------------------------------------------
    # Results.
    def get_best_hyperparameters(self, num_trials=1, pareto=False):
        """The `HyperParameters` of the best trials, best first; with
        `pareto=True` those of the Pareto front (multi-objective)."""
        if pareto:
            return [t.hyperparameters for t in self.oracle.get_pareto_front()][:num_trials]
        return [t.hyperparameters for t in self.oracle.get_best_trials(num_trials)]

    def get_pareto_front(self):
        """The trials no other trial beats on every objective."""
        return self.oracle.get_pareto_front()

    def get_best_models(self, num_models=1):
        """The best models, built and loaded from their best checkpoint."""
        return [self.load_model(trial) for trial in self.oracle.get_best_trials(num_models)]

    def load_model(self, trial):
        raise NotImplementedError

    @property
    def remaining_trials(self):
        return self.oracle.remaining_trials

    def search_space_summary(self, extended=False):
        """Prints the search space."""
        space = self.oracle.get_space().space
        print("Search space summary")
        print(f"Default search space size: {len(space)}")
        for hp in space:
            config = hp.get_config()
            config.pop("name", None)
            if not extended:
                config.pop("conditions", None)
            print(f"{hp.name} ({type(hp).__name__})")
            print(config)

    def results_summary(self, num_trials=10):
        """Prints the best trials as a table."""
        self.oracle.reload()
        print("Results summary")
        print(f"Results in {self.project_dir}")
        print(f"Showing {num_trials} best trials")
        print(self.oracle.objective)
        print()
        print(self.results_table(num_trials))

    def results_table(self, num_trials=10):
        """The best trials as a markdown table (a string)."""
        trials = self.oracle.get_best_trials(num_trials)
        names = []
        for trial in trials:
            for name in trial.hyperparameters.values:
                if name not in names and not name.startswith("tuner/"):
                    names.append(name)
        header = ["trial", "score", *names]
        rows = [
            [t.trial_id, t.score, *[t.hyperparameters.values.get(n, "-") for n in names]]
            for t in trials
        ]
        return display_module.format_table(header, rows)

    def report(self, path="report.html"):
        """Writes an HTML report of the study (history, intermediate values,
        parallel coordinates, importance) and returns its path."""
        from kerasverse.tuner.report import write_report

        self.oracle.reload()
        return write_report(self.oracle, path, title=self.project_name)

    def save(self):
        """The study is saved as it changes; kept for keras_tuner scripts."""

    def reload(self):
        self.oracle.reload()

    def __getstate__(self):
        state = dict(self.__dict__)
        state.pop("_progress", None)
        state.pop("_heartbeat", None)
        return state

    def _picklable(self):
        try:
            pickle.dumps(self)
        except Exception as error:
            raise ValueError(
                "`search(workers=N)` sends the tuner to worker processes, so its "
                "hypermodel must be picklable (a module-level function or class, not a "
                f"lambda or a local function). Received error: {error}"
            ) from error
        return copy.copy(self)


def objective_of(tuner):
    return objective_module.create_objective(tuner.oracle.objective)
