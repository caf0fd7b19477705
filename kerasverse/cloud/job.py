"""`Job`: a `cloud.run` job started with `wait=False` (or found by its id)."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from typing import Any

from kerasverse.cloud.result import JobFailedError
from kerasverse.cloud.result import RunResult


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Job:
    """A running or finished `cloud.run` job.

    Its state lives in `job_dir/job.json` and its logs in `job_dir/logs/`,
    so `Job.load(job_id)` (and `kerasverse cloud status/logs`) can follow a job
    from another process on the same machine.

    Args:
        job_id: The job's name.
        job_dir: The job's directory.
        labels: The job's labels.

    Example:

    ```python
    job = cloud.run(train, worker_count=1, wait=False)
    job.status()          # "RUNNING"
    result = job.wait()   # A RunResult; raises JobFailedError on failure.
    ```
    """

    def __init__(self, job_id: str, job_dir: str, labels: dict[str, str] | None = None):
        self.job_id = job_id
        self.job_dir = job_dir
        self.labels = dict(labels or {})
        self._thread: threading.Thread | None = None
        self._result: RunResult | None = None
        self._error: JobFailedError | None = None
        # Called when Ray Train's run ends, before its outcome is recorded
        # (`cloud.run` prestarts warm processes for the next job there).
        self._on_end = None

    @classmethod
    def load(cls, job_id: str, directory: str | None = None) -> Job:
        """The job `job_id` under `directory` (default `~/.kerasverse/cloud`)."""
        from kerasverse.cloud.run import DEFAULT_DIRECTORY

        root = os.path.abspath(os.path.expanduser(directory or DEFAULT_DIRECTORY))
        job_dir = os.path.join(root, job_id)
        if not os.path.isfile(os.path.join(job_dir, "job.json")):
            known = sorted(os.listdir(root)) if os.path.isdir(root) else []
            raise ValueError(
                f"No cloud job {job_id!r} under {root}. Known jobs: {known[-5:]}. Pass the job "
                "id that `cloud.run(wait=False)` printed and the same checkpoint_dir."
            )
        return cls(job_id, job_dir, cls._read_record(job_dir).get("labels"))

    @staticmethod
    def _read_record(job_dir: str) -> dict[str, Any]:
        with open(os.path.join(job_dir, "job.json")) as file:
            return json.load(file)

    def status(self) -> str:
        """`"RUNNING"`, `"SUCCEEDED"`, `"FAILED"` or `"CANCELLED"`."""
        record = self._read_record(self.job_dir)
        status = record.get("status", "RUNNING")
        if status == "RUNNING" and self._thread is None and not _pid_alive(int(record.get("pid", 0))):
            return "FAILED"  # Its driver process died without recording an end.
        return status

    def logs(self, rank: int = 0) -> str:
        """What process `rank` printed so far (0 is the chief)."""
        path = os.path.join(self.job_dir, "logs", f"worker_{rank}.log")
        if not os.path.exists(path):
            return ""
        with open(path) as file:
            return file.read()

    def wait(self, timeout: float | None = None) -> RunResult:
        """Waits for the job; returns its `RunResult` or raises `JobFailedError`."""
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():
                raise TimeoutError(f"Job {self.job_id} still runs after {timeout} s.")
        elif self._result is None and self._error is None:
            deadline = None if timeout is None else time.monotonic() + timeout
            while self.status() == "RUNNING":
                if deadline is not None and time.monotonic() > deadline:
                    raise TimeoutError(f"Job {self.job_id} still runs after {timeout} s.")
                time.sleep(0.5)
            record = self._read_record(self.job_dir)
            result = RunResult(
                job_id=self.job_id, status=self.status(), logs=self.logs(),
                num_processes=record.get("num_processes", 0), job_dir=self.job_dir,
                checkpoint=record.get("checkpoint"), labels=self.labels, error=record.get("error"),
            )
            if result.status != "SUCCEEDED":
                raise JobFailedError(f"Job {self.job_id} {result.status.lower()}:\n{result.error}", result)
            return result
        if self._error is not None:
            raise self._error
        return self._result

    def _job_ended(self, worker_runtime_env=None) -> None:
        if self._on_end is not None and worker_runtime_env is not None:
            self._on_end(worker_runtime_env)

    def _run(self, trainer) -> None:
        """Runs Ray Train's `fit` and records the outcome (in a thread with wait=False)."""
        from kerasverse.cloud.run import _failure_text
        from kerasverse.cloud.run import write_job_record

        record = self._read_record(self.job_dir)
        main_thread = threading.current_thread() is threading.main_thread()
        # Ray Train installs a SIGINT handler that aborts its controller (Ctrl-C
        # stops the job); put ours back afterwards.
        previous_sigint = signal.getsignal(signal.SIGINT) if main_thread else None
        try:
            ray_result = trainer.fit()
        except Exception as error:  # Ray Train's TrainingFailedError and others.
            text = _failure_text(error)
            write_job_record(self.job_dir, status="FAILED", error=text)
            result = RunResult(
                job_id=self.job_id, status="FAILED", logs=self.logs(),
                num_processes=record["num_processes"], job_dir=self.job_dir,
                labels=self.labels, error=text,
            )
            self._error = JobFailedError(f"Job {self.job_id} failed:\n{text}", result)
            self._error.__cause__ = error
            return
        finally:
            if main_thread and previous_sigint is not None:
                signal.signal(signal.SIGINT, previous_sigint)
        value = ray_result.return_value or {}
        self._job_ended(value.get("runtime_env"))
        checkpoint = ray_result.checkpoint.path if ray_result.checkpoint is not None else None
        write_job_record(self.job_dir, status="SUCCEEDED", checkpoint=checkpoint)
        self._result = RunResult(
            job_id=self.job_id, status="SUCCEEDED", result=value.get("result"),
            logs=value.get("logs", self.logs()), num_processes=value.get("num_processes", record["num_processes"]),
            job_dir=self.job_dir, checkpoint=checkpoint, metrics=dict(ray_result.metrics or {}),
            labels=self.labels, timings=dict(value.get("timings") or {}),
        )
