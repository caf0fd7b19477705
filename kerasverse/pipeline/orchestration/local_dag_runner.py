"""`LocalDagRunner`: runs a pipeline's components one after the other in this process."""

from __future__ import annotations

from kerasverse.pipeline.dsl.pipeline import Pipeline
from kerasverse.pipeline.orchestration.launcher import PipelineLauncher
from kerasverse.pipeline.orchestration.launcher import PipelineRunResult
from kerasverse.pipeline.orchestration.launcher import run_executor


class PipelineRunError(RuntimeError):
    """Raised when a component failed; `.result` holds every component's state."""

    def __init__(self, message: str, result: PipelineRunResult) -> None:
        super().__init__(message)
        self.result = result


def raise_on_failure(result: PipelineRunResult) -> PipelineRunResult:
    if result.errors:
        node_id, error = next(iter(result.errors.items()))
        message = str(error)
        if not message.startswith(node_id):
            message = f"{node_id} failed: {type(error).__name__}: {message}"
        raise PipelineRunError(f"{message}\nStates: {dict(result)}", result) from error
    return result


class LocalDagRunner:
    """Runs a `Pipeline` locally, in topological order (`tfx.orchestration.LocalDagRunner`).

    Args:
        raise_on_failure: Raise `PipelineRunError` (whose message starts with
            the failed component's own error) when a component fails; with
            False, `run` returns the states, failed ones `"FAILED"`.

    Example:

    ```python
    result = tfx.orchestration.LocalDagRunner().run(pipeline)
    result["Trainer"]  # "COMPLETE" or "CACHED"
    ```
    """

    def __init__(self, raise_on_failure: bool = True) -> None:
        self.raise_on_failure = raise_on_failure

    def run(self, pipeline: Pipeline) -> PipelineRunResult:
        """Runs the pipeline; returns component id -> state."""
        if not isinstance(pipeline, Pipeline):
            raise TypeError(f"run(pipeline) expects a `tfx.dsl.Pipeline`. Received: {pipeline!r}")
        result = PipelineLauncher(pipeline, run_executor).run()
        return raise_on_failure(result) if self.raise_on_failure else result
