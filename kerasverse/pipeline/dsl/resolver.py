"""`Resolver` and its strategies: inputs found in the metadata store, not produced in this run."""

from __future__ import annotations

import abc
from typing import TYPE_CHECKING
from typing import Any

from kerasverse.pipeline.components.base_component import BaseNode
from kerasverse.pipeline.types.artifact import Artifact
from kerasverse.pipeline.types.channel import Channel

if TYPE_CHECKING:
    from kerasverse.pipeline.metadata.store import MetadataStore


class ResolverStrategy(abc.ABC):
    """Picks artifacts from the store: `resolve_artifacts(store, pipeline_name, input_dict)`.

    `input_dict` maps the resolver's keys to the artifacts of that channel's
    type attributed to the pipeline (oldest first); return the chosen ones.
    """

    @abc.abstractmethod
    def resolve_artifacts(self, store: MetadataStore, pipeline_name: str,
                          input_dict: dict[str, list[Artifact]]) -> dict[str, list[Artifact]]:
        """Returns the resolved artifacts per key."""


class LatestArtifactStrategy(ResolverStrategy):
    """The newest artifact of each channel."""

    def resolve_artifacts(self, store, pipeline_name, input_dict):
        return {key: artifacts[-1:] for key, artifacts in input_dict.items()}


class LatestBlessedModelStrategy(ResolverStrategy):
    """The newest `Model` blessed by an Evaluator, and its `ModelBlessing` (TFX's strategy).

    Expects the keys `model` (a Model channel) and `model_blessing`.
    """

    def resolve_artifacts(self, store, pipeline_name, input_dict):
        models = input_dict.get("model")
        blessings = input_dict.get("model_blessing")
        if models is None or blessings is None:
            raise ValueError(
                "LatestBlessedModelStrategy needs the keys `model` and `model_blessing`. "
                f"Received: {sorted(input_dict)}"
            )
        by_id = {model.id: model for model in models}
        for blessing in reversed(blessings):
            if int(blessing.get_custom_property("blessed", 0)) == 1:
                model = by_id.get(int(blessing.get_custom_property("current_model_id", -1)))
                if model is not None:
                    return {"model": [model], "model_blessing": [blessing]}
        return {"model": [], "model_blessing": []}


class Resolver(BaseNode):
    """Resolves channels from the metadata store with a strategy (`tfx.dsl.Resolver`).

    Args:
        strategy_class: A `ResolverStrategy` subclass
            (`tfx.dsl.experimental.LatestBlessedModelStrategy`).
        config: Keyword arguments for the strategy.
        **channels: `dsl.Channel(type=...)` per key; outputs have the same keys.

    Example:

    ```python
    resolver = tfx.dsl.Resolver(
        strategy_class=tfx.dsl.experimental.LatestBlessedModelStrategy,
        model=tfx.dsl.Channel(type=tfx.types.standard_artifacts.Model),
        model_blessing=tfx.dsl.Channel(type=tfx.types.standard_artifacts.ModelBlessing),
    ).with_id("latest_blessed_model_resolver")
    ```
    """

    def __init__(self, strategy_class: type[ResolverStrategy], config: dict[str, Any] | None = None,
                 **channels: Channel) -> None:
        super().__init__()
        if not (isinstance(strategy_class, type) and issubclass(strategy_class, ResolverStrategy)):
            raise TypeError(
                "Resolver(strategy_class=...) expects a ResolverStrategy subclass such as "
                f"`tfx.dsl.experimental.LatestBlessedModelStrategy`. Received: {strategy_class!r}"
            )
        self.strategy_class = strategy_class
        self.config = config or {}
        for key, channel in channels.items():
            if not isinstance(channel, Channel):
                raise TypeError(f"Resolver: `{key}` must be a `tfx.dsl.Channel(type=...)`. Received: {channel!r}")
            self.inputs[key] = channel
            output = Channel(type=channel.type)
            output.producer = self
            output.output_key = key
            self.outputs[key] = output

    def resolve(self, store: MetadataStore, pipeline_name: str) -> dict[str, list[Artifact]]:
        input_dict = {
            key: store.get_artifacts_by_type(channel.type_name, context=("pipeline", pipeline_name))
            for key, channel in self.inputs.items()
        }
        return self.strategy_class(**self.config).resolve_artifacts(store, pipeline_name, input_dict)

    @property
    def upstream_nodes(self) -> list[BaseNode]:
        return []  # Resolver inputs are queries, not edges.
