"""Lineage queries over the metadata store: from a pushed model back to the CSV, in one call."""

from __future__ import annotations

import glob
import json
import os
from typing import Any

from kerasverse.pipeline.metadata.store import MetadataStore


def resolve_metadata_url(location: str) -> str:
    """A SQLAlchemy URL from a URL, a `.sqlite` file, or a folder holding `metadata.sqlite`
    (a pipeline root, or the folder above it)."""
    if "://" in location:
        return location
    path = os.path.abspath(location)
    if os.path.isfile(path):
        return f"sqlite:///{path}"
    for candidate in (os.path.join(path, "metadata.sqlite"), os.path.join(os.path.dirname(path), "metadata.sqlite")):
        if os.path.isfile(candidate):
            return f"sqlite:///{candidate}"
    found = sorted(glob.glob(os.path.join(path, "*.sqlite")) + glob.glob(os.path.join(path, "*.db")))
    if found:
        return f"sqlite:///{found[0]}"
    raise ValueError(
        f"No metadata store at {location!r}: expected a SQLAlchemy URL, a .sqlite file, or a folder holding "
        "metadata.sqlite. Fix: pass the path given to sqlite_metadata_connection_config."
    )


def get_lineage(metadata: str | MetadataStore, artifact_id: int | None = None,
                pipeline_name: str | None = None) -> list[dict[str, Any]]:
    """The upstream lineage of an artifact, nearest first.

    Args:
        metadata: A `MetadataStore`, a SQLAlchemy URL, a `.sqlite` path or a folder holding one.
        artifact_id: The artifact to start from (default: the latest `PushedModel`,
            else the latest `Model`, of `pipeline_name` or of the store).
        pipeline_name: Restrict the default start to this pipeline.

    Returns:
        A list of `{"id", "type", "uri", "producer_component", "execution":
        {"id", "component_id", "type", "state", "exec_properties"}, "inputs": [ids]}`,
        breadth first from the artifact; the raw data's ExampleGen comes last, with
        its `input_base` and `files`.

    Example:

    ```python
    for step in tfx.get_lineage("workdir/metadata.sqlite"):
        print(step["type"], step["producer_component"], step["uri"])
    ```
    """
    store = metadata if isinstance(metadata, MetadataStore) else MetadataStore(resolve_metadata_url(metadata))
    try:
        context = ("pipeline", pipeline_name) if pipeline_name else None
        if artifact_id is None:
            for type_name in ("PushedModel", "Model"):
                artifacts = store.get_artifacts_by_type(type_name, context=context)
                if artifacts:
                    artifact_id = artifacts[-1].id
                    break
            else:
                raise ValueError("get_lineage: the store holds no PushedModel or Model. Fix: run the pipeline first.")
        executions = {execution["id"]: execution for execution in store.get_executions()}
        result, queue, seen = [], [artifact_id], set()
        while queue:
            current = queue.pop(0)
            if current in seen:
                continue
            seen.add(current)
            found = store.get_artifacts_by_id([current])
            if not found:
                raise ValueError(f"get_lineage: no artifact with id {current}.")
            artifact = found[0]
            producers = [event["execution_id"] for event in store.get_events(artifact_ids=[current])
                         if event["type"] == "OUTPUT"]
            # The execution that made it (not the later ones that reused it from the cache).
            producing = [executions[i] for i in producers if executions[i]["state"] == "COMPLETE"] or \
                        [executions[i] for i in producers]
            step: dict[str, Any] = {
                "id": artifact.id, "type": artifact.type_name, "uri": artifact.uri,
                "producer_component": artifact.producer_component, "execution": None, "inputs": [],
            }
            if producing:
                execution = producing[0]
                exec_properties = execution["properties"].get("exec_properties", {})
                step["execution"] = {"id": execution["id"], "component_id": execution["component_id"],
                                     "type": execution["type"], "state": execution["state"],
                                     "exec_properties": exec_properties}
                inputs = [event["artifact_id"] for event in store.get_events(execution_ids=[execution["id"]])
                          if event["type"] == "INPUT"]
                step["inputs"] = inputs
                queue.extend(inputs)
                input_base = exec_properties.get("input_base")
                if isinstance(input_base, str):
                    step["input_base"] = input_base
                    # The files ExampleGen read, recorded when it ran.
                    step["files"] = json.loads(artifact.get_custom_property("input_files") or "[]")
            result.append(step)
        return result
    finally:
        if not isinstance(metadata, MetadataStore):
            store.dispose()
