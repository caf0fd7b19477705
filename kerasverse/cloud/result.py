"""`RunResult`: what `cloud.run` returns, and `JobFailedError`."""

from __future__ import annotations

import dataclasses
from typing import Any


@dataclasses.dataclass
class RunResult:
    """The outcome of a `cloud.run` job.

    Attributes:
        job_id: The job's name (its directory under `checkpoint_dir`).
        status: `"SUCCEEDED"` or `"FAILED"`.
        result: The chief's return value (function form; None for a script).
        logs: What the chief printed (stdout and stderr), restarts included.
        num_processes: How many processes ran (chief + workers).
        job_dir: The job's directory (logs, checkpoints, `job.json`).
        checkpoint: The latest checkpoint's directory, or None.
        metrics: The last metrics the job reported (with checkpointing), or {}.
        labels: The `job_labels` the job was started with.
        error: The failure's text (worker tracebacks), or None.
        timings: Wall-clock times (`time.time()`) of the chief's start-up:
            `process_start` (its worker process), `train_loop` (Ray Train
            called it), `keras_imported`, `backend_ready` (the distribution
            set up) and `user_code` (the function or script starts).
    """

    job_id: str
    status: str
    result: Any = None
    logs: str = ""
    num_processes: int = 0
    job_dir: str = ""
    checkpoint: str | None = None
    metrics: dict = dataclasses.field(default_factory=dict)
    labels: dict = dataclasses.field(default_factory=dict)
    error: str | None = None
    timings: dict = dataclasses.field(default_factory=dict)


class JobFailedError(RuntimeError):
    """A `cloud.run` job failed; the message holds the workers' tracebacks.

    Attributes:
        run_result: The `RunResult` (status `"FAILED"`, logs, error text).
    """

    def __init__(self, message: str, run_result: RunResult):
        super().__init__(message)
        self.run_result = run_result
