"""`Storage`: where a study's trials and oracle state live."""

import abc
import contextlib


class StudyTransaction(abc.ABC):
    """What an oracle may do while it holds the study's lock.

    Call order inside `Storage.transaction()`: `revision()` first; when it
    differs from the revision the oracle last saw, `trials_since(seen)` and
    `state()` bring the oracle up to date; finally `write(trials, state)`
    stores the changes and returns the new revision.
    """

    @abc.abstractmethod
    def revision(self) -> int:
        """The study's revision: it grows by one with each `write`."""

    @abc.abstractmethod
    def state(self) -> dict | None:
        """The oracle state (a JSON-able dict), None for a new study."""

    @abc.abstractmethod
    def trials_since(self, revision: int) -> list[dict]:
        """The configs of the trials written after `revision`, by number."""

    @abc.abstractmethod
    def write(self, trials: list[dict], state: dict | None) -> int:
        """Inserts or updates `trials` (configs with a `trial_id`), replaces
        the state when given, and returns the new revision."""


class Storage(abc.ABC):
    """The extension point for study storage (SQLite file, any SQLAlchemy
    URL, or memory).

    Call order: `open_study(name, overwrite)` once, then any number of
    `transaction()` blocks. A transaction is exclusive across every process
    that opened the same study: that is what keeps trial ids unique and
    `max_trials` respected with parallel workers.

    Example:

    ```python
    storage = SQLStorage("sqlite:///study.db")
    storage.open_study("my_project", overwrite=False)
    with storage.transaction() as txn:
        txn.revision()
    ```
    """

    @abc.abstractmethod
    def open_study(self, name: str, overwrite: bool = False) -> None:
        """Creates the study `name` if missing (or `overwrite`), then uses it."""

    @abc.abstractmethod
    def transaction(self, write: bool = True) -> contextlib.AbstractContextManager[StudyTransaction]:
        """An exclusive transaction on the open study (`write=False`: a
        read-only snapshot that does not take the lock; `write` must not be
        called in it)."""

    def study_names(self) -> list[str]:
        """The names of the studies in this storage."""
        return []

    def close(self) -> None:
        """Releases connections (the storage can be reopened later)."""
        return None
