"""`search(..., workers=N)`: N trials at a time in worker processes.

Each worker is a fresh Python process (the "spawn" start method, safe with
JAX and PyTorch) holding a copy of the tuner with its own `tuner_id`
(`tuner0` ... `tuner{N-1}`); they share the study through its storage,
whose transactions keep trial ids unique and `max_trials` respected.
"""

import multiprocessing
import pickle
import sys
import time

from kerasverse.tuner.engine import display as display_module
from kerasverse.tuner.engine.trial import TrialStatus
from kerasverse.tuner.storage import InMemoryStorage

# The exit code of a worker that found the user's main script starting a
# search while the worker imported it (no `if __name__ == "__main__":`).
UNGUARDED_MAIN_EXIT_CODE = 75
UNGUARDED_MAIN_MESSAGE = (
    "`search(workers=N)` starts worker processes that import your main script again, "
    "and the script calls `search()` when imported: put the code that starts the "
    "search under `if __name__ == \"__main__\":`."
)


def is_reimporting_main():
    """Whether this is a worker process importing the main script (the
    "spawn" start method runs it as `__mp_main__` before the worker starts)."""
    return bool(getattr(multiprocessing.current_process(), "_inheriting", False))


def exit_if_reimporting_main():
    """Ends a worker process whose import of the main script reached
    `search()`: the parent turns the exit code into `UNGUARDED_MAIN_MESSAGE`
    (without the check, the worker would die in multiprocessing's bootstrap)."""
    if is_reimporting_main():
        sys.stderr.write(f"kerasverse.tuner: {UNGUARDED_MAIN_MESSAGE}\n")
        sys.stderr.flush()
        raise SystemExit(UNGUARDED_MAIN_EXIT_CODE)


def update_progress(tuner, progress, done):
    """Reloads the shared study and moves the progress bar when more trials
    have finished than `done`. Returns the number finished now."""
    tuner.oracle.reload()
    finished = sum(1 for t in tuner.oracle.trials.values() if t.status != TrialStatus.RUNNING)
    if finished != done:
        best = tuner.oracle.get_best_trials(1)
        progress.update(
            finished, best=best[0].score if best else None,
            objective_name=tuner.oracle.objective.name,
        )
    return finished


def _worker_main(tuner_bytes, tuner_id, fit_args, fit_kwargs):
    tuner = pickle.loads(tuner_bytes)
    tuner.tuner_id = tuner_id
    tuner.verbose = 0
    tuner.oracle.reload()
    tuner.search(*fit_args, **fit_kwargs)


def run_workers(tuner, workers, fit_args, fit_kwargs):
    """Runs the search of `tuner` in `workers` processes; returns when all end.

    Raises:
        ValueError: the study lives in memory, or the tuner is not picklable.
        RuntimeError: a worker exited with an error.
    """
    if tuner.oracle._storage is None or isinstance(tuner.oracle._storage, InMemoryStorage):
        raise ValueError(
            "`search(workers=N)` needs a study storage that processes can share: the "
            "default SQLite file or a database URL. Received: storage=':memory:'."
        )
    try:
        payload = pickle.dumps(tuner)
        pickle.dumps((fit_args, fit_kwargs))
    except Exception as error:
        raise ValueError(
            "`search(workers=N)` sends the tuner and the search arguments to worker "
            "processes, so they must be picklable (a hypermodel defined at module level, "
            f"not a lambda or local function). Received error: {error!r}"
        ) from error
    context = multiprocessing.get_context("spawn")
    base = tuner.tuner_id
    processes = [
        context.Process(
            target=_worker_main,
            args=(payload, base if i == 0 else f"{base}_{i}", fit_args, fit_kwargs),
            daemon=False,
        )
        for i in range(workers)
    ]
    for process in processes:
        process.start()
    progress = display_module.ProgressBar(tuner.oracle.max_trials, verbose=tuner.verbose)
    done = -1
    try:
        while any(p.is_alive() for p in processes):
            time.sleep(0.5)
            done = update_progress(tuner, progress, done)
    finally:
        for process in processes:
            process.join()
        progress.close()
    failed = [p.exitcode for p in processes if p.exitcode != 0]
    if UNGUARDED_MAIN_EXIT_CODE in failed:
        raise RuntimeError(UNGUARDED_MAIN_MESSAGE)
    if failed:
        raise RuntimeError(
            f"{len(failed)} of {workers} search workers exited with an error "
            f"(exit codes {failed}); their output above has the traceback."
        )
