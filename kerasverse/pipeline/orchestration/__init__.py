"""Runners (`tfx.orchestration`): LocalDagRunner, RayDagRunner, and the metadata configs."""

from kerasverse.pipeline import metadata
from kerasverse.pipeline.orchestration.launcher import PipelineRunResult
from kerasverse.pipeline.orchestration.local_dag_runner import LocalDagRunner
from kerasverse.pipeline.orchestration.local_dag_runner import PipelineRunError


def __getattr__(name):
    if name == "RayDagRunner":
        from kerasverse.pipeline.orchestration.ray_dag_runner import RayDagRunner

        return RayDagRunner
    raise AttributeError(f"module 'kerasverse.pipeline.orchestration' has no attribute {name!r}")


__all__ = ["LocalDagRunner", "PipelineRunError", "PipelineRunResult", "RayDagRunner", "metadata"]
