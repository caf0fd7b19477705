"""`Artifact`: a typed, registered piece of pipeline data (ML Metadata's artifact)."""

from __future__ import annotations

import json
import os
from typing import Any


class Artifact:
    """A typed pointer to data a component produced, with properties.

    Mirrors `tfx.types.Artifact`: a subclass per kind (`Examples`, `Schema`,
    `Model`, ...) names its `TYPE_NAME` and its `PROPERTIES`; an instance has a
    `uri` (a folder), an `id` once registered in the metadata store, `name`,
    `producer_component`, and properties read and written as attributes
    (`examples.split_names`) or with `set_custom_property`.

    Args:
        uri: The folder holding the artifact's files.

    Example:

    >>> from kerasverse.pipeline.types import standard_artifacts
    >>> examples = standard_artifacts.Examples()
    >>> examples.split_names = '["train", "eval"]'
    >>> examples.type_name
    'Examples'
    """

    TYPE_NAME: str = "Artifact"
    PROPERTIES: tuple[str, ...] = ()

    def __init__(self, uri: str = "") -> None:
        self.uri = uri
        self.id: int | None = None
        self.name = ""
        self.producer_component = ""
        self.properties: dict[str, Any] = {}
        self.custom_properties: dict[str, Any] = {}

    @property
    def type_name(self) -> str:
        return self.TYPE_NAME

    def __getattr__(self, name: str) -> Any:
        if name in type(self).PROPERTIES:
            return self.__dict__.get("properties", {}).get(name)
        raise AttributeError(f"{type(self).__name__} has no attribute {name!r}.")

    def __setattr__(self, name: str, value: Any) -> None:
        if name in type(self).PROPERTIES:
            self.properties[name] = value
        else:
            object.__setattr__(self, name, value)

    def set_custom_property(self, key: str, value: Any) -> None:
        self.custom_properties[key] = value

    def get_custom_property(self, key: str, default: Any = None) -> Any:
        return self.custom_properties.get(key, default)

    def has_custom_property(self, key: str) -> bool:
        return key in self.custom_properties

    # `split_names` helpers shared by Examples and statistics artifacts.
    def splits(self) -> list[str]:
        return json.loads(self.properties.get("split_names") or "[]")

    def split_uri(self, split: str) -> str:
        return os.path.join(self.uri, f"Split-{split}")

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "type": self.TYPE_NAME,
            "uri": self.uri,
            "name": self.name,
            "producer_component": self.producer_component,
            "properties": dict(self.properties),
            "custom_properties": dict(self.custom_properties),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Artifact:
        from kerasverse.pipeline.types.standard_artifacts import artifact_class

        artifact = artifact_class(data["type"])(data["uri"])
        artifact.id = data.get("id")
        artifact.name = data.get("name", "")
        artifact.producer_component = data.get("producer_component", "")
        artifact.properties = dict(data.get("properties") or {})
        artifact.custom_properties = dict(data.get("custom_properties") or {})
        return artifact

    def __repr__(self) -> str:
        return f"{self.TYPE_NAME}(id={self.id}, uri={self.uri!r})"
