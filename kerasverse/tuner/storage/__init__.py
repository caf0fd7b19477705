"""Study storage: the `Storage` extension point and its implementations."""

import os

from kerasverse.tuner.storage.in_memory_storage import InMemoryStorage
from kerasverse.tuner.storage.sql_storage import SQLStorage
from kerasverse.tuner.storage.storage import Storage
from kerasverse.tuner.storage.storage import StudyTransaction

STUDY_FILENAME = "study.db"


def get_storage(storage, project_dir=None):
    """Returns a `Storage` from None (an SQLite file in `project_dir`), a URL,
    `":memory:"` or a `Storage`."""
    if isinstance(storage, Storage):
        return storage
    if storage is None:
        if project_dir is None:
            return InMemoryStorage()
        os.makedirs(project_dir, exist_ok=True)
        path = os.path.abspath(os.path.join(project_dir, STUDY_FILENAME))
        return SQLStorage(f"sqlite:///{path}")
    if storage == ":memory:":
        return InMemoryStorage()
    if isinstance(storage, str):
        return SQLStorage(storage)
    raise TypeError(
        "`storage` must be None (an SQLite file in the project directory), an "
        "SQLAlchemy URL string, ':memory:' or a `Storage`. "
        f"Received: {storage!r} of type {type(storage).__name__}"
    )


__all__ = ["InMemoryStorage", "SQLStorage", "Storage", "StudyTransaction", "get_storage"]
