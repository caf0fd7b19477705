"""`Channel`: a typed edge between components (`tfx.dsl.Channel`)."""

from __future__ import annotations

import builtins
from typing import TYPE_CHECKING

from kerasverse.pipeline.types.artifact import Artifact

if TYPE_CHECKING:
    from kerasverse.pipeline.components.base_component import BaseNode


class Channel:
    """A typed stream of artifacts: a component's output, or a query (for a `Resolver`).

    Args:
        type: The artifact class the channel carries (`standard_artifacts.Model`).

    Example:

    >>> from kerasverse.pipeline import dsl
    >>> from kerasverse.pipeline.types import standard_artifacts
    >>> dsl.Channel(type=standard_artifacts.Model).type_name
    'Model'
    """

    def __init__(self, type: type[Artifact]) -> None:  # noqa: A002 - TFX's argument name.
        if not (isinstance(type, builtins.type) and issubclass(type, Artifact)):
            raise TypeError(
                "Channel(type=...) expects an artifact class such as "
                f"`standard_artifacts.Model`. Received: type={type!r}"
            )
        self.type = type
        self.producer: BaseNode | None = None
        self.output_key: str | None = None

    @property
    def type_name(self) -> str:
        return self.type.TYPE_NAME

    def describe(self) -> str:
        if self.producer is None:
            return f"Channel(type={self.type_name})"
        return f"{self.producer.id}.outputs[{self.output_key!r}] ({self.type_name})"

    def __repr__(self) -> str:
        return self.describe()

OutputChannel = Channel
