"""Component = spec (typed inputs, outputs, parameters) + executor (`tfx.dsl.components.base`).

A component never touches the metadata store: the orchestrator resolves its
input artifacts, gives the executor output artifacts whose folders it then
registers, and owns caching.
"""

from __future__ import annotations

import abc
import dataclasses
from collections.abc import Callable
from typing import Any

from kerasverse.pipeline.types.artifact import Artifact
from kerasverse.pipeline.types.channel import Channel


@dataclasses.dataclass(frozen=True)
class ChannelParameter:
    """An input or output of a component: its artifact type, and whether it may be absent."""

    type: type[Artifact]
    optional: bool = False


@dataclasses.dataclass(frozen=True)
class ExecutionParameter:
    """A property of a component (a value, part of the cache key)."""

    type: Any = object
    optional: bool = True


class SkipExecution(Exception):
    """Raised by an executor that has nothing to do (Pusher with a model that is not blessed).

    The orchestrator records the node as SKIPPED and registers no outputs.
    """


class BaseExecutor(abc.ABC):
    """Runs a component's job on artifacts: `Do(input_dict, output_dict, exec_properties)`.

    `input_dict` and `output_dict` map keys to lists of artifacts; output
    artifacts have their `uri` (a fresh, empty folder) set by the orchestrator,
    and the executor fills them and sets their properties.
    """

    @dataclasses.dataclass
    class Context:
        component_id: str = ""
        pipeline_root: str = ""
        tmp_dir: str = ""
        # How data steps run a function over shards: `map` here, Ray tasks
        # under RayDagRunner. `parallel_map(fn, items) -> list`.
        parallel_map: Callable[[Callable, list], list] | None = None

    def __init__(self, context: BaseExecutor.Context | None = None) -> None:
        self.context = context or BaseExecutor.Context()

    def parallel_map(self, fn: Callable, items: list) -> list:
        """Runs `fn` over `items` (file shards): serially, or as Ray tasks under RayDagRunner."""
        if self.context.parallel_map is None or len(items) < 2:
            return [fn(item) for item in items]
        return self.context.parallel_map(fn, items)

    @abc.abstractmethod
    def Do(  # noqa: N802 - TFX's method name.
        self,
        input_dict: dict[str, list[Artifact]],
        output_dict: dict[str, list[Artifact]],
        exec_properties: dict[str, Any],
    ) -> None:
        """Does the component's job."""


class BaseNode:
    """A node of the pipeline DAG: an id, input channels, output channels."""

    def __init__(self) -> None:
        self._id: str | None = None
        self.inputs: dict[str, Channel] = {}
        self.outputs: dict[str, Channel] = {}
        self.exec_properties: dict[str, Any] = {}

    @property
    def id(self) -> str:
        return self._id or type(self).__name__

    def with_id(self, id: str) -> BaseNode:  # noqa: A002 - TFX's argument name.
        """Names the node (TFX: ids default to the class name, unique per pipeline)."""
        if not isinstance(id, str) or not id.replace("_", "").replace("-", "").isalnum():
            raise ValueError(
                "with_id(id) expects letters, digits, '_' or '-'. "
                f"Received: id={id!r}"
            )
        self._id = id
        return self

    @property
    def upstream_nodes(self) -> list[BaseNode]:
        nodes = []
        for channel in self.inputs.values():
            if channel.producer is not None and channel.producer not in nodes:
                nodes.append(channel.producer)
        return nodes


class ComponentSpec:
    """What a component declares: `INPUTS`, `OUTPUTS` (channel parameters) and `PARAMETERS`."""

    INPUTS: dict[str, ChannelParameter] = {}
    OUTPUTS: dict[str, ChannelParameter] = {}
    PARAMETERS: dict[str, ExecutionParameter] = {}


class BaseComponent(BaseNode):
    """A TFX-style component: subclasses set `SPEC_CLASS` and `EXECUTOR_CLASS`.

    Wiring is type-checked here, when the pipeline is built: an input channel
    whose artifact type is not the declared one raises a `TypeError` naming the
    component, the input, what it got and what it expects.
    """

    SPEC_CLASS: type[ComponentSpec] = ComponentSpec
    EXECUTOR_CLASS: type[BaseExecutor]

    def __init__(self, inputs: dict[str, Any], exec_properties: dict[str, Any]) -> None:
        super().__init__()
        spec = self.SPEC_CLASS
        for key, value in inputs.items():
            if key not in spec.INPUTS:
                raise TypeError(f"{type(self).__name__} has no input {key!r}. Inputs: {sorted(spec.INPUTS)}.")
            if value is None:
                continue
            parameter = spec.INPUTS[key]
            if not isinstance(value, Channel):
                raise TypeError(
                    f"{type(self).__name__}: input `{key}` expects a channel of "
                    f"{parameter.type.TYPE_NAME} artifacts (another component's "
                    f"`.outputs[...]` or a `dsl.Channel`). Received: {key}={value!r}"
                )
            if not issubclass(value.type, parameter.type):
                raise TypeError(
                    f"{type(self).__name__}: input `{key}` expects a channel of "
                    f"{parameter.type.TYPE_NAME} artifacts. Received: {key}={value.describe()}. "
                    f"Fix: wire a component output of type {parameter.type.TYPE_NAME} to `{key}`."
                )
            self.inputs[key] = value
        for key, parameter in spec.INPUTS.items():
            if not parameter.optional and key not in self.inputs:
                raise ValueError(
                    f"{type(self).__name__}: input `{key}` ({parameter.type.TYPE_NAME}) is required. "
                    f"Received: {key}=None"
                )
        for key, parameter in spec.OUTPUTS.items():
            channel = Channel(type=parameter.type)
            channel.producer = self
            channel.output_key = key
            self.outputs[key] = channel
        for key, value in exec_properties.items():
            if key not in spec.PARAMETERS:
                raise TypeError(f"{type(self).__name__} has no parameter {key!r}.")
            if value is not None:
                self.exec_properties[key] = value

    def __repr__(self) -> str:
        return f"{type(self).__name__}(id={self.id!r})"
