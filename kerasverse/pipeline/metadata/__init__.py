"""The metadata store (`tfx.orchestration.metadata`): ML Metadata's data model in SQLAlchemy."""

from __future__ import annotations

import dataclasses
import os

from kerasverse.pipeline.metadata.store import MetadataStore


@dataclasses.dataclass
class ConnectionConfig:
    """Where the metadata store lives: a SQLAlchemy URL."""

    url: str


def sqlite_metadata_connection_config(metadata_db_uri: str) -> ConnectionConfig:
    """A SQLite metadata store in the file `metadata_db_uri` (TFX's helper of the same name).

    Example:

    >>> sqlite_metadata_connection_config("/tmp/metadata.db").url
    'sqlite:////tmp/metadata.db'
    """
    path = os.path.abspath(os.fspath(metadata_db_uri))
    os.makedirs(os.path.dirname(path), exist_ok=True)
    return ConnectionConfig(url=f"sqlite:///{path}")


def connection_config(url: str) -> ConnectionConfig:
    """A metadata store at any SQLAlchemy URL (`postgresql+psycopg://user@host:5432/db`)."""
    if "://" not in url:
        raise ValueError(f"connection_config(url) expects a SQLAlchemy URL such as 'postgresql+psycopg://...'. Received: url={url!r}")
    return ConnectionConfig(url=url)


__all__ = ["ConnectionConfig", "MetadataStore", "connection_config", "sqlite_metadata_connection_config"]
