"""Artifact types and channels (`tfx.types`)."""

from kerasverse.pipeline.types import standard_artifacts
from kerasverse.pipeline.types.artifact import Artifact
from kerasverse.pipeline.types.channel import Channel

__all__ = ["Artifact", "Channel", "standard_artifacts"]
