"""`Pipeline`: a DAG of components (`tfx.dsl.Pipeline`), checked when built."""

from __future__ import annotations

import os
from typing import Any

from kerasverse.pipeline.components.base_component import BaseNode


class Pipeline:
    """A named DAG of components with a root folder and a metadata store.

    Args:
        pipeline_name: The pipeline's name (its metadata context).
        pipeline_root: The folder under which components write their outputs.
        components: The nodes; every node whose outputs another uses must be listed.
        enable_cache: Reuse the outputs of an execution whose inputs,
            properties and module file are unchanged.
        metadata_connection_config: From
            `tfx.orchestration.metadata.sqlite_metadata_connection_config(path)`
            (default: `pipeline_root/metadata.sqlite`).
        beam_pipeline_args: Accepted for TFX compatibility, unused (no Beam).

    Example:

    ```python
    p = tfx.dsl.Pipeline(pipeline_name="penguin", pipeline_root="root/",
                         components=[example_gen, statistics_gen], enable_cache=True)
    ```
    """

    def __init__(self, pipeline_name: str, pipeline_root: str, components: list[BaseNode],
                 enable_cache: bool = False, metadata_connection_config: Any = None,
                 beam_pipeline_args: list[str] | None = None) -> None:
        if not pipeline_name or not isinstance(pipeline_name, str):
            raise ValueError(f"Pipeline(pipeline_name=...) must be a non-empty string. Received: {pipeline_name!r}")
        self.pipeline_name = pipeline_name
        self.pipeline_root = os.path.abspath(os.fspath(pipeline_root))
        self.enable_cache = enable_cache
        self.metadata_connection_config = metadata_connection_config
        self.beam_pipeline_args = beam_pipeline_args or []
        for component in components:
            if not isinstance(component, BaseNode):
                raise TypeError(
                    f"Pipeline(components=...) expects components (tfx.components.*) and resolvers. "
                    f"Received: {component!r}"
                )
        ids = [component.id for component in components]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(
                f"Pipeline {pipeline_name!r}: component ids must be unique; {duplicates} appear twice. "
                "Fix: name one with `.with_id('...')`."
            )
        for component in components:
            for key, channel in component.inputs.items():
                if channel.producer is not None and channel.producer not in components:
                    raise ValueError(
                        f"Pipeline {pipeline_name!r}: {component.id}.{key} reads {channel.describe()}, "
                        f"but {channel.producer.id} is not in `components`. Fix: add it to the list."
                    )
        self.components = _topological_order(components)

    @property
    def metadata_url(self) -> str:
        if self.metadata_connection_config is None:
            return f"sqlite:///{os.path.join(self.pipeline_root, 'metadata.sqlite')}"
        return self.metadata_connection_config.url


def _topological_order(components: list[BaseNode]) -> list[BaseNode]:
    ordered: list[BaseNode] = []
    visiting: set[int] = set()

    def visit(node: BaseNode) -> None:
        if node in ordered:
            return
        if id(node) in visiting:
            raise ValueError(f"The pipeline has a cycle through {node.id}.")
        visiting.add(id(node))
        for upstream in node.upstream_nodes:
            visit(upstream)
        visiting.discard(id(node))
        ordered.append(node)

    for component in components:
        visit(component)
    return ordered
