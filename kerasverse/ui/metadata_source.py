"""`MetadataSource`: read-only access to a pipeline's metadata store.

`kerasverse.pipeline` records lineage in ML Metadata's data model (tables
`Type`, `Artifact`, `Execution`, `Context`, `Event`, `Attribution`,
`Association`; see `kerasverse.pipeline.metadata`). The UI reads those tables
directly and read-only — runs are contexts of type `pipeline_run`, a run's
component executions are associated with it, and events link artifacts to the
executions that produced (OUTPUT) and consumed (INPUT) them — so a store of
1,000 runs opens page by page without loading it.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from collections.abc import Iterable
from typing import Any

from kerasverse.ui.study_source import StoreError

MLMD_TABLES = {"Type", "Artifact", "Execution", "Context", "Event", "Association", "Attribution"}
EXECUTION_STATES = ("UNKNOWN", "NEW", "RUNNING", "COMPLETE", "FAILED", "CACHED", "CANCELED")
EVENT_TYPES = ("UNKNOWN", "DECLARED_OUTPUT", "DECLARED_INPUT", "INPUT", "OUTPUT", "INTERNAL_INPUT", "INTERNAL_OUTPUT")
INPUT_EVENTS = (3, 2, 5)
OUTPUT_EVENTS = (4, 1, 6)
RUN_CONTEXT_TYPES = ("pipeline_run", "run")
RUNS_PAGE = 25
# Execution properties that name data read from outside the pipeline.
FILE_PROPERTIES = ("input_base", "input_path", "data_root", "input_file")


def is_metadata_sqlite(path: str) -> bool:
    """Whether the SQLite file at `path` holds ML Metadata's tables."""
    try:
        with open(path, "rb") as f:
            if f.read(16) != b"SQLite format 3\x00":
                return False
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=2)
        try:
            names = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        finally:
            connection.close()
    except (OSError, sqlite3.Error):
        return False
    return MLMD_TABLES <= names


def _loads(text) -> dict:
    if not text:
        return {}
    try:
        value = json.loads(text)
    except (TypeError, ValueError):
        return {"value": text}
    return value if isinstance(value, dict) else {"value": value}


class MetadataSource:
    """The runs, executions and artifacts of one metadata store.

    Args:
        url: An SQLAlchemy URL (for SQLite, use `study_source.sqlite_url`).
        label: How the UI names this store (its pipeline root).
    """

    def __init__(self, url: str, label: str | None = None):
        self.url = url
        self.label = label or url
        self.key = hashlib.sha1(url.encode()).hexdigest()[:12]
        self._engine = None
        self._lock = threading.Lock()

    def _query(self, sql: str, **params) -> list[tuple]:
        import sqlalchemy as sa

        with self._lock:
            if self._engine is None:
                self._engine = sa.create_engine(self.url, pool_pre_ping=True)
        try:
            with self._engine.connect() as connection:
                return [tuple(row) for row in connection.execute(sa.text(sql), params)]
        except sa.exc.SQLAlchemyError as error:
            raise StoreError(
                f"The metadata store {self.label} cannot be read "
                f"({error.__class__.__name__}: {str(error).splitlines()[0]})."
            ) from error

    # ------------------------------------------------------------------
    def _type_names(self) -> dict[int, str]:
        return {row[0]: row[1] for row in self._query('SELECT id, name FROM "Type"')}

    def pipelines(self) -> list[str]:
        return [row[0] for row in self._query(
            'SELECT c.name FROM "Context" c JOIN "Type" t ON c.type_id = t.id WHERE t.name = \'pipeline\' '
            "ORDER BY c.name"
        )]

    def runs(self, offset: int = 0, limit: int = RUNS_PAGE) -> dict[str, Any]:
        """A page of runs, newest first, each with its components' states."""
        types = ", ".join(f"'{t}'" for t in RUN_CONTEXT_TYPES)
        total = self._query(
            f'SELECT COUNT(*) FROM "Context" c JOIN "Type" t ON c.type_id = t.id WHERE t.name IN ({types})'
        )[0][0]
        rows = self._query(
            f'SELECT c.id, c.name, c.create_time_since_epoch, c.properties FROM "Context" c '
            f'JOIN "Type" t ON c.type_id = t.id WHERE t.name IN ({types}) '
            "ORDER BY c.create_time_since_epoch DESC, c.id DESC LIMIT :limit OFFSET :offset",
            limit=int(limit), offset=int(offset),
        )
        runs = []
        ids = [row[0] for row in rows]
        states: dict[int, dict[str, int]] = {i: {} for i in ids}
        if ids:
            placeholders = ", ".join(str(int(i)) for i in ids)
            for context_id, state, count in self._query(
                f'SELECT a.context_id, e.last_known_state, COUNT(*) FROM "Association" a '
                f'JOIN "Execution" e ON e.id = a.execution_id WHERE a.context_id IN ({placeholders}) '
                "GROUP BY a.context_id, e.last_known_state"
            ):
                states[context_id][_state_name(state)] = count
        for context_id, name, created, properties in rows:
            counts = states.get(context_id, {})
            runs.append({
                "id": context_id, "name": name, "created_ms": created, "properties": _loads(properties),
                "counts": counts, "status": _run_status(counts),
            })
        return {"total": int(total), "offset": int(offset), "limit": int(limit), "runs": runs}

    def run(self, run_id: int) -> dict[str, Any]:
        """One run: its executions (components) and the artifact edges between them."""
        rows = self._query(
            'SELECT c.id, c.name, c.create_time_since_epoch FROM "Context" c WHERE c.id = :id', id=int(run_id)
        )
        if not rows:
            raise KeyError(run_id)
        types = self._type_names()
        executions = []
        for execution_id, type_id, state, name, properties, created, updated in self._query(
            'SELECT e.id, e.type_id, e.last_known_state, e.name, e.properties, e.create_time_since_epoch, '
            'e.last_update_time_since_epoch FROM "Execution" e JOIN "Association" a ON a.execution_id = e.id '
            "WHERE a.context_id = :id ORDER BY e.id", id=int(run_id),
        ):
            props = _loads(properties)
            state_name = _state_name(state)
            if state_name == "CANCELED" and props.get("skipped"):
                state_name = "SKIPPED"  # How the pipeline's runner records a skipped component.
            executions.append({
                "id": execution_id, "component": props.get("component_id") or name, "type": types.get(type_id, "?"),
                "state": state_name, "properties": props, "note": props.get("skipped") or "",
                "duration_s": None if created is None or updated is None else max(updated - created, 0) / 1000.0,
            })
        events = self.events([e["id"] for e in executions])
        return {"id": rows[0][0], "name": rows[0][1], "created_ms": rows[0][2], "executions": executions,
                "events": events, "artifacts": self.artifacts({ev["artifact_id"] for ev in events})}

    def events(self, execution_ids: Iterable[int]) -> list[dict[str, Any]]:
        ids = [int(i) for i in execution_ids]
        if not ids:
            return []
        placeholders = ", ".join(str(i) for i in ids)
        return [
            {"artifact_id": a, "execution_id": e, "type": EVENT_TYPES[t] if 0 <= t < len(EVENT_TYPES) else "UNKNOWN",
             "path": path}
            for a, e, t, path in self._query(
                f'SELECT artifact_id, execution_id, type, path FROM "Event" WHERE execution_id IN ({placeholders}) '
                "ORDER BY id"
            )
        ]

    def artifacts(self, artifact_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
        ids = sorted({int(i) for i in artifact_ids})
        if not ids:
            return {}
        types = self._type_names()
        placeholders = ", ".join(str(i) for i in ids)
        result = {}
        for artifact_id, type_id, uri, name, properties, custom, created in self._query(
            f'SELECT id, type_id, uri, name, properties, custom_properties, create_time_since_epoch '
            f'FROM "Artifact" WHERE id IN ({placeholders})'
        ):
            result[artifact_id] = {
                "id": artifact_id, "type": types.get(type_id, "?"), "uri": uri, "name": name,
                "properties": _loads(properties), "custom_properties": _loads(custom), "created_ms": created,
            }
        return result

    def artifact(self, artifact_id: int) -> dict[str, Any]:
        found = self.artifacts([artifact_id])
        if not found:
            raise KeyError(artifact_id)
        artifact = found[int(artifact_id)]
        events = self._query(
            'SELECT ev.execution_id, ev.type, ev.path, e.name, e.properties FROM "Event" ev '
            'JOIN "Execution" e ON e.id = ev.execution_id WHERE ev.artifact_id = :id ORDER BY ev.id',
            id=int(artifact_id),
        )
        artifact["producers"] = [
            {"execution_id": e, "component": _loads(p).get("component_id") or n, "path": path}
            for e, t, path, n, p in events if t in OUTPUT_EVENTS
        ]
        artifact["consumers"] = [
            {"execution_id": e, "component": _loads(p).get("component_id") or n, "path": path}
            for e, t, path, n, p in events if t in INPUT_EVENTS
        ]
        return artifact

    def lineage(self, artifact_id: int, max_nodes: int = 200) -> dict[str, Any]:
        """Everything upstream of an artifact: (nodes, edges) back to the
        executions that read no artifact (the ExampleGen reading files)."""
        nodes: dict[str, dict[str, Any]] = {}
        edges: list[tuple[str, str]] = []
        frontier = [int(artifact_id)]
        seen_artifacts: set[int] = set()
        while frontier and len(nodes) < max_nodes:
            current = frontier.pop()
            if current in seen_artifacts:
                continue
            seen_artifacts.add(current)
            artifact = self.artifact(current)
            artifact_node = f"a{current}"
            nodes[artifact_node] = {"kind": "artifact", "label": f"{artifact['type']} #{current}",
                                    "uri": artifact["uri"], "id": current}
            for producer in artifact["producers"][:1]:
                execution_node = f"e{producer['execution_id']}"
                edges.append((execution_node, artifact_node))
                if execution_node in nodes:
                    continue
                rows = self._query('SELECT last_known_state, properties FROM "Execution" WHERE id = :id',
                                   id=producer["execution_id"])
                props = _loads(rows[0][1]) if rows else {}
                exec_properties = props.get("exec_properties") if isinstance(props.get("exec_properties"), dict) else {}
                nodes[execution_node] = {
                    "kind": "execution", "label": producer["component"], "id": producer["execution_id"],
                    "state": _state_name(rows[0][0]) if rows else "UNKNOWN",
                    "inputs": {k: v for k, v in {**props, **exec_properties}.items()
                               if k in FILE_PROPERTIES and isinstance(v, str) and v},
                }
                # The files an ExampleGen read, as recorded on its output.
                files = artifact["custom_properties"].get("input_files")
                if isinstance(files, str):
                    try:
                        files = json.loads(files)
                    except ValueError:
                        files = [files]
                for index, path in enumerate(files or []):
                    nodes[execution_node]["inputs"][f"input_file_{index}"] = str(path)
                for (input_id,) in self._query(
                    'SELECT artifact_id FROM "Event" WHERE execution_id = :id AND type IN (2, 3, 5)',
                    id=producer["execution_id"],
                ):
                    edges.append((f"a{input_id}", execution_node))
                    frontier.append(input_id)
                for source in nodes[execution_node]["inputs"].values():
                    file_node = f"f{source}"
                    nodes[file_node] = {"kind": "file", "label": str(source), "uri": str(source)}
                    edges.append((file_node, execution_node))
        return {"nodes": nodes, "edges": sorted(set(edges))}

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None


def _state_name(state) -> str:
    try:
        return EXECUTION_STATES[int(state)]
    except (TypeError, ValueError, IndexError):
        return "UNKNOWN"


def _run_status(counts: dict[str, int]) -> str:
    if not counts:
        return "EMPTY"
    if counts.get("FAILED"):
        return "FAILED"
    if counts.get("RUNNING") or counts.get("NEW"):
        return "RUNNING"
    if set(counts) <= {"CACHED"}:
        return "CACHED"
    return "COMPLETE"
