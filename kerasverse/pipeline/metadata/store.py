"""ML Metadata's data model in SQLAlchemy: types, artifacts, executions, contexts, events.

`ml-metadata` (C++ wheels pinned to TensorFlow's protobuf) does not install
beside our dependencies, so this module keeps its data model -- the same
tables and states -- in SQLAlchemy: a SQLite file by default, PostgreSQL (or
any SQLAlchemy URL) by URL. Only the orchestrator writes here; components never
see the store.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterable
from typing import Any

from kerasverse.pipeline.types.artifact import Artifact

# ML Metadata's enums.
ARTIFACT_STATES = ("UNKNOWN", "PENDING", "LIVE", "MARKED_FOR_DELETION", "DELETED", "ABANDONED", "REFERENCE")
EXECUTION_STATES = ("UNKNOWN", "NEW", "RUNNING", "COMPLETE", "FAILED", "CACHED", "CANCELED")
EVENT_TYPES = ("UNKNOWN", "DECLARED_OUTPUT", "DECLARED_INPUT", "INPUT", "OUTPUT", "INTERNAL_INPUT", "INTERNAL_OUTPUT")
TYPE_KINDS = ("EXECUTION_TYPE", "ARTIFACT_TYPE", "CONTEXT_TYPE")


def _sqlalchemy():
    try:
        import sqlalchemy
    except ImportError as error:  # pragma: no cover - the `pipeline` extra brings it.
        raise ImportError(
            "kerasverse.pipeline's metadata store needs SQLAlchemy: `pip install 'kerasverse[pipeline]'` "
            "(and `kerasverse[postgres]` for PostgreSQL)."
        ) from error
    return sqlalchemy


def _tables(metadata):
    sa = _sqlalchemy()
    text, integer, big = sa.Text, sa.Integer, sa.BigInteger
    tables = {}
    tables["Type"] = sa.Table(
        "Type", metadata,
        sa.Column("id", integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("type_kind", sa.SmallInteger, nullable=False),
        sa.UniqueConstraint("name", "type_kind"),
    )
    tables["Artifact"] = sa.Table(
        "Artifact", metadata,
        sa.Column("id", integer, primary_key=True, autoincrement=True),
        sa.Column("type_id", integer, sa.ForeignKey("Type.id"), nullable=False),
        sa.Column("uri", text),
        sa.Column("state", sa.SmallInteger),
        sa.Column("name", sa.String(255)),
        sa.Column("properties", text),
        sa.Column("custom_properties", text),
        sa.Column("create_time_since_epoch", big),
        sa.Column("last_update_time_since_epoch", big),
    )
    tables["Execution"] = sa.Table(
        "Execution", metadata,
        sa.Column("id", integer, primary_key=True, autoincrement=True),
        sa.Column("type_id", integer, sa.ForeignKey("Type.id"), nullable=False),
        sa.Column("last_known_state", sa.SmallInteger),
        sa.Column("name", sa.String(255)),
        sa.Column("cache_key", sa.String(64), index=True),
        sa.Column("properties", text),
        sa.Column("create_time_since_epoch", big),
        sa.Column("last_update_time_since_epoch", big),
    )
    tables["Context"] = sa.Table(
        "Context", metadata,
        sa.Column("id", integer, primary_key=True, autoincrement=True),
        sa.Column("type_id", integer, sa.ForeignKey("Type.id"), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("properties", text),
        sa.Column("create_time_since_epoch", big),
        sa.UniqueConstraint("type_id", "name"),
    )
    tables["Event"] = sa.Table(
        "Event", metadata,
        sa.Column("id", integer, primary_key=True, autoincrement=True),
        sa.Column("artifact_id", integer, sa.ForeignKey("Artifact.id"), nullable=False, index=True),
        sa.Column("execution_id", integer, sa.ForeignKey("Execution.id"), nullable=False, index=True),
        sa.Column("type", sa.SmallInteger, nullable=False),
        sa.Column("path", sa.String(255)),
        sa.Column("index", integer),
        sa.Column("milliseconds_since_epoch", big),
    )
    tables["Attribution"] = sa.Table(
        "Attribution", metadata,
        sa.Column("context_id", integer, sa.ForeignKey("Context.id"), primary_key=True),
        sa.Column("artifact_id", integer, sa.ForeignKey("Artifact.id"), primary_key=True),
    )
    tables["Association"] = sa.Table(
        "Association", metadata,
        sa.Column("context_id", integer, sa.ForeignKey("Context.id"), primary_key=True),
        sa.Column("execution_id", integer, sa.ForeignKey("Execution.id"), primary_key=True),
    )
    return tables


def _now_ms() -> int:
    return int(time.time() * 1000)


class MetadataStore:
    """An ML-Metadata-shaped store over SQLAlchemy.

    Args:
        url: A SQLAlchemy URL (`sqlite:///path/metadata.sqlite`,
            `postgresql+psycopg://user@host/db`).

    Example:

    >>> store = MetadataStore("sqlite://")
    >>> from kerasverse.pipeline.types import standard_artifacts
    >>> execution_id = store.start_execution("CsvExampleGen", "CsvExampleGen", cache_key="k",
    ...     contexts=[("pipeline", "p")], inputs={})
    >>> artifact = standard_artifacts.Examples("/tmp/examples")
    >>> store.publish_execution(execution_id, {"examples": [artifact]}, state="COMPLETE")
    >>> store.get_artifacts_by_type("Examples")[0].uri
    '/tmp/examples'
    """

    def __init__(self, url: str) -> None:
        sa = _sqlalchemy()
        self.url = url
        kwargs: dict[str, Any] = {}
        if url.startswith("sqlite"):
            kwargs["connect_args"] = {"timeout": 60}
        self.engine = sa.create_engine(url, **kwargs)
        if url.startswith("sqlite"):
            @sa.event.listens_for(self.engine, "connect")
            def _pragmas(connection, _):  # WAL: readers do not block the runner's writes.
                cursor = connection.cursor()
                cursor.execute("PRAGMA journal_mode=WAL")
                cursor.execute("PRAGMA foreign_keys=ON")
                cursor.close()
        # One writer at a time from this process (RayDagRunner publishes from several
        # threads): each write is one transaction, and SQLite never sees two at once.
        self._write_lock = threading.RLock()
        self.metadata = sa.MetaData()
        self.tables = _tables(self.metadata)
        self.metadata.create_all(self.engine)

    # -- types and contexts -------------------------------------------------
    def _type_id(self, connection, name: str, kind: str) -> int:
        sa = _sqlalchemy()
        table = self.tables["Type"]
        kind_id = TYPE_KINDS.index(kind)
        row = connection.execute(sa.select(table.c.id).where(table.c.name == name, table.c.type_kind == kind_id)).first()
        if row:
            return row[0]
        return connection.execute(table.insert().values(name=name, type_kind=kind_id)).inserted_primary_key[0]

    def _context_id(self, connection, type_name: str, name: str) -> int:
        sa = _sqlalchemy()
        table = self.tables["Context"]
        type_id = self._type_id(connection, type_name, "CONTEXT_TYPE")
        row = connection.execute(sa.select(table.c.id).where(table.c.type_id == type_id, table.c.name == name)).first()
        if row:
            return row[0]
        return connection.execute(table.insert().values(
            type_id=type_id, name=name, properties="{}", create_time_since_epoch=_now_ms())).inserted_primary_key[0]

    # -- executions ---------------------------------------------------------
    def start_execution(self, component_id: str, type_name: str, cache_key: str,
                        contexts: Iterable[tuple[str, str]], inputs: dict[str, list[Artifact]],
                        properties: dict[str, Any] | None = None, state: str = "RUNNING") -> int:
        """Registers an execution (RUNNING) with its INPUT events and contexts; returns its id."""
        with self._write_lock, self.engine.begin() as connection:
            type_id = self._type_id(connection, type_name, "EXECUTION_TYPE")
            now = _now_ms()
            execution_id = connection.execute(self.tables["Execution"].insert().values(
                type_id=type_id, last_known_state=EXECUTION_STATES.index(state), name=component_id,
                cache_key=cache_key, properties=json.dumps({"component_id": component_id, **(properties or {})}),
                create_time_since_epoch=now, last_update_time_since_epoch=now,
            )).inserted_primary_key[0]
            for context_type, context_name in contexts:
                context_id = self._context_id(connection, context_type, context_name)
                connection.execute(self.tables["Association"].insert().values(context_id=context_id, execution_id=execution_id))
            self._events(connection, execution_id, inputs, "INPUT")
        return execution_id

    def _events(self, connection, execution_id: int, artifacts: dict[str, list[Artifact]], kind: str) -> None:
        rows = [
            {"artifact_id": artifact.id, "execution_id": execution_id, "type": EVENT_TYPES.index(kind),
             "path": key, "index": index, "milliseconds_since_epoch": _now_ms()}
            for key, items in artifacts.items() for index, artifact in enumerate(items)
        ]
        if rows:
            connection.execute(self.tables["Event"].insert(), rows)

    def publish_execution(self, execution_id: int, outputs: dict[str, list[Artifact]], state: str = "COMPLETE",
                          properties: dict[str, Any] | None = None, register_outputs: bool = True) -> None:
        """In one transaction: registers new output artifacts (LIVE), OUTPUT events, the final state."""
        sa = _sqlalchemy()
        with self._write_lock, self.engine.begin() as connection:
            contexts = [row[0] for row in connection.execute(
                sa.select(self.tables["Association"].c.context_id).where(self.tables["Association"].c.execution_id == execution_id))]
            now = _now_ms()
            for items in outputs.values():
                for artifact in items:
                    if artifact.id is not None or not register_outputs:
                        continue
                    type_id = self._type_id(connection, artifact.TYPE_NAME, "ARTIFACT_TYPE")
                    artifact.id = connection.execute(self.tables["Artifact"].insert().values(
                        type_id=type_id, uri=artifact.uri, state=ARTIFACT_STATES.index("LIVE"), name=artifact.name,
                        properties=json.dumps({**artifact.properties, "producer_component": artifact.producer_component}),
                        custom_properties=json.dumps(artifact.custom_properties),
                        create_time_since_epoch=now, last_update_time_since_epoch=now,
                    )).inserted_primary_key[0]
                    for context_id in contexts:
                        connection.execute(self.tables["Attribution"].insert().values(context_id=context_id, artifact_id=artifact.id))
            self._events(connection, execution_id, outputs, "OUTPUT")
            values: dict[str, Any] = {"last_known_state": EXECUTION_STATES.index(state), "last_update_time_since_epoch": now}
            if properties:
                current = json.loads(connection.execute(sa.select(self.tables["Execution"].c.properties).where(
                    self.tables["Execution"].c.id == execution_id)).scalar_one())
                values["properties"] = json.dumps({**current, **properties})
            connection.execute(self.tables["Execution"].update().where(self.tables["Execution"].c.id == execution_id).values(**values))

    def set_execution_state(self, execution_id: int, state: str, properties: dict[str, Any] | None = None) -> None:
        self.publish_execution(execution_id, {}, state=state, properties=properties)

    # -- queries -------------------------------------------------------------
    def _artifact_from_row(self, row, type_name: str) -> Artifact:
        properties = json.loads(row.properties or "{}")
        producer = properties.pop("producer_component", "")
        artifact = Artifact.from_dict({
            "id": row.id, "type": type_name, "uri": row.uri, "name": row.name or "",
            "producer_component": producer, "properties": properties,
            "custom_properties": json.loads(row.custom_properties or "{}"),
        })
        return artifact

    def get_artifacts_by_id(self, artifact_ids: Iterable[int]) -> list[Artifact]:
        sa = _sqlalchemy()
        artifact, type_table = self.tables["Artifact"], self.tables["Type"]
        ids = list(artifact_ids)
        with self.engine.connect() as connection:
            rows = connection.execute(sa.select(artifact, type_table.c.name.label("type_name")).join(
                type_table, artifact.c.type_id == type_table.c.id).where(artifact.c.id.in_(ids))).all()
        by_id = {row.id: self._artifact_from_row(row, row.type_name) for row in rows}
        return [by_id[i] for i in ids if i in by_id]

    def get_artifacts_by_type(self, type_name: str, context: tuple[str, str] | None = None) -> list[Artifact]:
        """LIVE artifacts of a type (optionally attributed to a context), oldest first."""
        sa = _sqlalchemy()
        artifact, type_table = self.tables["Artifact"], self.tables["Type"]
        query = sa.select(artifact).join(type_table, artifact.c.type_id == type_table.c.id).where(
            type_table.c.name == type_name, type_table.c.type_kind == 1,
            artifact.c.state == ARTIFACT_STATES.index("LIVE")).order_by(artifact.c.id)
        if context is not None:
            context_id = self._find_context(*context)
            if context_id is None:
                return []
            attribution = self.tables["Attribution"]
            query = query.join(attribution, attribution.c.artifact_id == artifact.c.id).where(attribution.c.context_id == context_id)
        with self.engine.connect() as connection:
            return [self._artifact_from_row(row, type_name) for row in connection.execute(query)]

    def _find_context(self, type_name: str, name: str) -> int | None:
        sa = _sqlalchemy()
        context, type_table = self.tables["Context"], self.tables["Type"]
        with self.engine.connect() as connection:
            row = connection.execute(sa.select(context.c.id).join(type_table, context.c.type_id == type_table.c.id).where(
                type_table.c.name == type_name, context.c.name == name)).first()
        return row[0] if row else None

    def get_executions(self, cache_key: str | None = None, component_id: str | None = None,
                       context: tuple[str, str] | None = None) -> list[dict[str, Any]]:
        """Executions (oldest first) as dicts: id, type, state, component_id, cache_key, properties,
        create_time_since_epoch (registered, RUNNING) and last_update_time_since_epoch
        (published), in milliseconds."""
        sa = _sqlalchemy()
        execution, type_table = self.tables["Execution"], self.tables["Type"]
        query = sa.select(execution, type_table.c.name.label("type_name")).join(
            type_table, execution.c.type_id == type_table.c.id).order_by(execution.c.id)
        if cache_key is not None:
            query = query.where(execution.c.cache_key == cache_key)
        if component_id is not None:
            query = query.where(execution.c.name == component_id)
        if context is not None:
            context_id = self._find_context(*context)
            if context_id is None:
                return []
            association = self.tables["Association"]
            query = query.join(association, association.c.execution_id == execution.c.id).where(association.c.context_id == context_id)
        with self.engine.connect() as connection:
            rows = connection.execute(query).all()
        return [{
            "id": row.id, "type": row.type_name, "state": EXECUTION_STATES[row.last_known_state],
            "component_id": row.name, "cache_key": row.cache_key,
            "properties": json.loads(row.properties or "{}"),
            "create_time_since_epoch": row.create_time_since_epoch,
            "last_update_time_since_epoch": row.last_update_time_since_epoch,
        } for row in rows]

    def get_events(self, execution_ids: Iterable[int] | None = None,
                   artifact_ids: Iterable[int] | None = None) -> list[dict[str, Any]]:
        sa = _sqlalchemy()
        event = self.tables["Event"]
        query = sa.select(event).order_by(event.c.id)
        if execution_ids is not None:
            query = query.where(event.c.execution_id.in_(list(execution_ids)))
        if artifact_ids is not None:
            query = query.where(event.c.artifact_id.in_(list(artifact_ids)))
        with self.engine.connect() as connection:
            return [{"artifact_id": row.artifact_id, "execution_id": row.execution_id, "type": EVENT_TYPES[row.type],
                     "path": row.path, "index": row.index} for row in connection.execute(query)]

    def get_execution_outputs(self, execution_id: int) -> dict[str, list[Artifact]]:
        events = [event for event in self.get_events(execution_ids=[execution_id]) if event["type"] == "OUTPUT"]
        artifacts = {artifact.id: artifact for artifact in self.get_artifacts_by_id(event["artifact_id"] for event in events)}
        outputs: dict[str, list[Artifact]] = {}
        for event in sorted(events, key=lambda e: (e["path"], e["index"])):
            outputs.setdefault(event["path"], []).append(artifacts[event["artifact_id"]])
        return outputs

    def dispose(self) -> None:
        self.engine.dispose()
