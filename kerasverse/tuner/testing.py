"""Test helpers for the tuner: a Keras-free tuner on a known function, and
the storage conformance checks (importable by worker processes)."""

import math
import os
import time

from kerasverse.tuner.engine.base_tuner import BaseTuner


def quadratic(hp):
    """Declares `x` in [-1, 1] and `y` in {0, 1, 2}; the minimum (0) is at
    x=0.3, y=1."""
    x = hp.Float("x", -1.0, 1.0)
    y = hp.Choice("y", [0, 1, 2])
    return (x - 0.3) ** 2 + (y - 1) ** 2


class FunctionTuner(BaseTuner):
    """A tuner whose trial is `objective(hp)` (no Keras).

    Args:
        function: `function(hp) -> float | dict`, at module level (picklable).
        sleep: Seconds each trial waits (to make parallel runs overlap).
        intermediate_steps: When > 0, reports `value * (1 + 1/(step+1))` for
            that many steps (stopping early when pruned), like epochs.
    """

    def __init__(self, oracle, function=quadratic, sleep=0.0, intermediate_steps=0, **kwargs):
        super().__init__(oracle, hypermodel=None, **kwargs)
        self.function = function
        self.sleep = sleep
        self.intermediate_steps = intermediate_steps
        self.steps_run = 0

    def _populate_initial_space(self):
        from kerasverse.tuner.engine.hyperparameters import HyperParameters

        hp = self.oracle.get_space() if self.oracle.hyperparameters.space else HyperParameters()
        try:
            self.function(hp)
        except Exception:
            pass  # The trials report it.
        self.oracle.update_space(hp)

    def run_trial(self, trial):
        value = self.function(trial.hyperparameters)
        if self.sleep:
            time.sleep(self.sleep)
        for step in range(self.intermediate_steps):
            self.steps_run += 1
            if self.oracle.report_intermediate_value(
                trial.trial_id, value * (1 + 1 / (step + 1)), step
            ):
                break
        return value


def failing_once_function(hp):
    """Raises on its first call in each process for each value of `x`, via a
    marker file next to the study (to test retries)."""
    x = hp.Float("x", -1.0, 1.0)
    marker = os.path.join(os.environ.get("KERASVERSE_TEST_DIR", "."), f"failed_{x:.6f}")
    if not os.path.exists(marker):
        open(marker, "w").close()
        raise RuntimeError("transient failure")
    return abs(x)


def nan_function(hp):
    hp.Float("x", 0.0, 1.0)
    return math.nan
