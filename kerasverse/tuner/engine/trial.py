"""`Trial` and `TrialStatus`: one evaluation of one point of the search space."""

import time

from kerasverse.tuner.engine import metrics_tracking
from kerasverse.tuner.engine.hyperparameters import HyperParameters


class TrialStatus:
    """The states of a trial (keras_tuner's, plus PRUNED)."""

    RUNNING = "RUNNING"  # Running, or waiting to be run (again).
    IDLE = "IDLE"  # No trial can start now; ask again later.
    INVALID = "INVALID"  # Completed, but its score is NaN.
    STOPPED = "STOPPED"  # The search is over.
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"
    PRUNED = "PRUNED"  # Stopped early by a pruner; counts toward `max_trials`.


FINISHED = (TrialStatus.COMPLETED, TrialStatus.FAILED, TrialStatus.INVALID, TrialStatus.PRUNED)


class Trial:
    """One trial: its hyperparameters, metrics, status and score.

    Args:
        hyperparameters: The `HyperParameters` of the trial (space + values).
        trial_id: A string id, unique in the study.
        status: One of `TrialStatus`.
        message: The error message (traceback) of a failed trial.

    Example:

    ```python
    trial = oracle.create_trial("tuner0")
    trial.hyperparameters.values
    ```
    """

    def __init__(self, hyperparameters, trial_id=None, status=TrialStatus.RUNNING, message=None):
        self.hyperparameters = hyperparameters
        self.trial_id = trial_id
        self.status = status
        self.message = message
        self.metrics = metrics_tracking.MetricsTracker()
        self.score = None
        self.best_step = 0
        self.intermediate_values = {}
        self.pruned_step = None
        self.tuner_id = None
        # The process (and oracle) running it: `host|pid|token`, None when
        # nobody runs it (see `Oracle.create_trial`).
        self.owner = None
        self.started = time.time()
        self.ended = None
        self.heartbeat = None

    def summary(self):
        """Prints the hyperparameters and score of the trial."""
        print(f"Trial {self.trial_id} summary")
        print("Hyperparameters:")
        for name, value in self.hyperparameters.values.items():
            print(f"{name}: {value}")
        if self.score is not None:
            print(f"Score: {self.score}")
        if self.message is not None:
            print(self.message)

    def get_config(self):
        return {
            "trial_id": self.trial_id,
            "hyperparameters": self.hyperparameters.get_config(),
            "metrics": self.metrics.get_config(),
            "score": self.score,
            "best_step": self.best_step,
            "status": self.status,
            "message": self.message,
            "intermediate_values": {str(k): v for k, v in self.intermediate_values.items()},
            "pruned_step": self.pruned_step,
            "tuner_id": self.tuner_id,
            "owner": self.owner,
            "started": self.started,
            "ended": self.ended,
            "heartbeat": self.heartbeat,
        }

    @classmethod
    def from_config(cls, config):
        trial = cls(
            HyperParameters.from_config(config["hyperparameters"]),
            trial_id=config["trial_id"],
            status=config["status"],
            message=config.get("message"),
        )
        trial.metrics = metrics_tracking.MetricsTracker.from_config(config["metrics"])
        trial.score = config.get("score")
        trial.best_step = config.get("best_step") or 0
        trial.intermediate_values = {
            int(k): v for k, v in (config.get("intermediate_values") or {}).items()
        }
        trial.pruned_step = config.get("pruned_step")
        trial.tuner_id = config.get("tuner_id")
        trial.owner = config.get("owner")
        trial.started = config.get("started")
        trial.ended = config.get("ended")
        trial.heartbeat = config.get("heartbeat")
        return trial

    def __repr__(self):
        return (
            f"Trial(trial_id={self.trial_id!r}, status={self.status!r}, score={self.score}, "
            f"values={self.hyperparameters.values})"
        )
