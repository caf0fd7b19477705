"""The search loop's semantics, on a Keras-free tuner (fast)."""

import io
import os

import pytest

from kerasverse.tuner import errors
from kerasverse.tuner.engine.objective import Objective
from kerasverse.tuner.engine.trial import TrialStatus
from kerasverse.tuner.oracles import RandomSearchOracle
from kerasverse.tuner.testing import FunctionTuner
from kerasverse.tuner.testing import quadratic


def _tuner(tmp_path, function=quadratic, max_trials=6, overwrite=False, **kwargs):
    oracle_kwargs = {
        k: kwargs.pop(k) for k in ("max_retries_per_trial", "max_consecutive_failed_trials") if k in kwargs
    }
    oracle = RandomSearchOracle(Objective("loss", "min"), max_trials=max_trials, seed=1, **oracle_kwargs)
    return FunctionTuner(
        oracle, function=function, directory=str(tmp_path), project_name="p",
        overwrite=overwrite, verbose=0, **kwargs,
    )


def _dict_function(hp):
    return {"loss": quadratic(hp), "other": 1.0}


def test_search_runs_max_trials_and_finds_best(tmp_path):
    tuner = _tuner(tmp_path, function=_dict_function)
    tuner.search()
    trials = tuner.oracle.trials.values()
    assert len(trials) == 6 and all(t.status == TrialStatus.COMPLETED for t in trials)
    best = tuner.get_best_hyperparameters(1)[0]
    assert quadratic(best.copy()) == min(t.score for t in trials)
    assert tuner.remaining_trials == 0
    assert os.path.exists(os.path.join(tmp_path, "p", "study.db"))


def _failing(hp):
    hp.Float("x", -1, 1)
    raise errors.FailedTrialError("not this one")


def _fatal(hp):
    hp.Float("x", -1, 1)
    raise errors.FatalValueError("stop everything")


def _crashing(hp):
    hp.Float("x", -1, 1)
    raise ZeroDivisionError("division by zero")


def test_failed_trial_error_is_not_retried(tmp_path):
    tuner = _tuner(tmp_path, function=_failing, max_retries_per_trial=3, max_consecutive_failed_trials=2)
    with pytest.raises(RuntimeError, match="consecutive failures exceeded the limit of 2"):
        tuner.search()
    trials = list(tuner.oracle.trials.values())
    assert [t.status for t in trials] == [TrialStatus.FAILED] * 2
    assert "FailedTrialError: not this one" in trials[0].message


def test_fatal_error_stops_the_search(tmp_path):
    tuner = _tuner(tmp_path, function=_fatal)
    with pytest.raises(errors.FatalValueError, match="stop everything"):
        tuner.search()


def test_other_errors_are_retried_then_failed_with_traceback(tmp_path):
    tuner = _tuner(tmp_path, function=_crashing, max_retries_per_trial=2, max_consecutive_failed_trials=1)
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        tuner.search()
    trial = tuner.oracle.trials["0"]
    assert trial.status == TrialStatus.FAILED
    assert tuner.oracle._retry_counts["0"] == 2
    assert "Traceback" in trial.message


def _nan(hp):
    hp.Float("x", -1, 1)
    return float("nan")


def test_nan_scores_are_invalid(tmp_path):
    tuner = _tuner(tmp_path, function=_nan, max_trials=2)
    tuner.search()
    assert {t.status for t in tuner.oracle.trials.values()} == {TrialStatus.INVALID}
    assert tuner.get_best_hyperparameters() == []


def _bad_return(hp):
    hp.Float("x", -1, 1)
    return "oops"


def test_bad_return_value_is_fatal(tmp_path):
    tuner = _tuner(tmp_path, function=_bad_return)
    with pytest.raises(errors.FatalTypeError, match="should be one of.*Received: 'oops'"):
        tuner.search()


class _InterruptedTuner(FunctionTuner):
    def run_trial(self, trial):
        if trial.trial_id == "3":
            raise KeyboardInterrupt  # Ctrl-C in a notebook, mid-trial.
        return super().run_trial(trial)


def test_resume_continues_and_overwrite_restarts(tmp_path):
    first = _tuner(tmp_path, max_trials=3)
    first.search()
    values = {t.trial_id: t.hyperparameters.values for t in first.oracle.trials.values()}
    oracle = RandomSearchOracle(Objective("loss", "min"), max_trials=5, seed=1)
    interrupting = _InterruptedTuner(oracle, directory=str(tmp_path), project_name="p", verbose=0)
    with pytest.raises(KeyboardInterrupt):
        interrupting.search()
    interrupted = interrupting.oracle.trials["3"]
    assert interrupted.status == TrialStatus.RUNNING
    resumed = _tuner(tmp_path, max_trials=5)
    resumed.oracle.max_trials = 5
    resumed.search()
    trials = resumed.oracle.trials
    assert sorted(trials) == ["0", "1", "2", "3", "4"]
    assert {k: trials[k].hyperparameters.values for k in values} == values
    assert trials["3"].hyperparameters.values == interrupted.hyperparameters.values
    assert all(t.status == TrialStatus.COMPLETED for t in trials.values())
    fresh = _tuner(tmp_path, max_trials=2, overwrite=True)
    assert fresh.oracle.trials == {}
    fresh.search()
    assert len(fresh.oracle.trials) == 2


def test_results_summary_table_and_progress(tmp_path, capsys):
    tuner = _tuner(tmp_path, max_trials=3)
    tuner.verbose = 1
    stream = io.StringIO()
    tuner.search()
    captured = capsys.readouterr()
    assert "3/3 trials" in captured.err and "best loss=" in captured.err
    tuner.results_summary(2)
    out = capsys.readouterr().out
    assert "Results summary" in out and "| trial | score | x" in out
    assert out.count("\n| ") == 3  # Header + 2 rows.
    tuner.search_space_summary()
    assert "Default search space size: 2" in capsys.readouterr().out
    del stream


def test_unknown_tuner_argument_raises(tmp_path):
    with pytest.raises(TypeError, match="Unrecognized arguments for the tuner: \\['epochz'\\]"):
        _tuner(tmp_path, epochz=3)


def test_pruned_trials_in_search(tmp_path):
    from kerasverse.tuner.pruners import MedianPruner

    tuner = _tuner(tmp_path, max_trials=8, pruner=MedianPruner(n_startup_trials=2))
    tuner.intermediate_steps = 4
    tuner.search()
    statuses = [t.status for t in tuner.oracle.trials.values()]
    assert TrialStatus.PRUNED in statuses
    assert len(statuses) == 8
    assert tuner.steps_run < 8 * 4


@pytest.mark.slow
def test_workers_share_one_study(tmp_path):
    tuner = _tuner(tmp_path, max_trials=8)
    tuner.sleep = 0.2
    tuner.search(workers=2)
    trials = tuner.oracle.trials
    assert sorted(trials, key=int) == [str(i) for i in range(8)]
    assert all(t.status == TrialStatus.COMPLETED for t in trials.values())
    assert len({t.tuner_id for t in trials.values()}) <= 1  # Cleared at the end.
    owners = {tuple(sorted(t.hyperparameters.values.items())) for t in trials.values()}
    assert len(owners) == 8


def test_workers_need_shareable_storage(tmp_path):
    tuner = _tuner(tmp_path, storage=":memory:")
    with pytest.raises(ValueError, match="needs a study storage that processes can share"):
        tuner.search(workers=2)


def test_heartbeat_timeout_is_configurable_and_checked(tmp_path):
    assert _tuner(tmp_path, heartbeat_timeout=2).oracle.heartbeat_timeout == 2.0
    assert _tuner(tmp_path).oracle.heartbeat_timeout == 120.0
    for bad in (-1, 0, "10", True):
        with pytest.raises(ValueError, match=f"Received: heartbeat_timeout={bad!r}"):
            _tuner(tmp_path, heartbeat_timeout=bad)
