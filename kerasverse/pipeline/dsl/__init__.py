"""Pipeline building blocks (`tfx.dsl`): Pipeline, Channel, Resolver and its strategies."""

from types import SimpleNamespace

from kerasverse.pipeline.dsl.pipeline import Pipeline
from kerasverse.pipeline.dsl.resolver import LatestArtifactStrategy
from kerasverse.pipeline.dsl.resolver import LatestBlessedModelStrategy
from kerasverse.pipeline.dsl.resolver import Resolver
from kerasverse.pipeline.dsl.resolver import ResolverStrategy
from kerasverse.pipeline.types.channel import Channel

# `tfx.dsl.experimental.LatestBlessedModelStrategy`, as in TFX.
experimental = SimpleNamespace(
    LatestArtifactStrategy=LatestArtifactStrategy,
    LatestBlessedModelStrategy=LatestBlessedModelStrategy,
    ResolverStrategy=ResolverStrategy,
)

__all__ = [
    "Channel", "LatestArtifactStrategy", "LatestBlessedModelStrategy", "Pipeline", "Resolver",
    "ResolverStrategy", "experimental",
]
