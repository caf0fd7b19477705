"""`InMemoryStorage`: a study that lives in this process only."""

import contextlib
import copy
import threading

from kerasverse.tuner.storage.storage import Storage
from kerasverse.tuner.storage.storage import StudyTransaction


class _MemoryTransaction(StudyTransaction):
    def __init__(self, study):
        self._study = study

    def revision(self):
        return self._study["revision"]

    def state(self):
        return copy.deepcopy(self._study["state"])

    def trials_since(self, revision):
        rows = [row for row in self._study["trials"].values() if row["seq"] > revision]
        rows.sort(key=lambda row: row["number"])
        return [copy.deepcopy(row["config"]) for row in rows]

    def write(self, trials, state):
        study = self._study
        study["revision"] += 1
        for config in trials:
            row = study["trials"].get(config["trial_id"])
            number = row["number"] if row else len(study["trials"])
            study["trials"][config["trial_id"]] = {
                "number": number, "seq": study["revision"], "config": copy.deepcopy(config),
            }
        if state is not None:
            study["state"] = copy.deepcopy(state)
        return study["revision"]


class InMemoryStorage(Storage):
    """Keeps studies in a dict: for tests, benchmarks and throwaway searches.

    Example:

    ```python
    tuner = RandomSearch(build_model, "val_loss", max_trials=3,
                         storage=InMemoryStorage())
    ```
    """

    def __init__(self):
        self._studies = {}
        self._lock = threading.RLock()
        self._name = None

    def open_study(self, name, overwrite=False):
        with self._lock:
            if overwrite or name not in self._studies:
                self._studies[name] = {"revision": 0, "state": None, "trials": {}}
            self._name = name

    @contextlib.contextmanager
    def transaction(self, write=True):
        if self._name is None:
            raise RuntimeError("Call `open_study(name)` before `transaction()`.")
        with self._lock:
            yield _MemoryTransaction(self._studies[self._name])

    def study_names(self):
        return sorted(self._studies)

    def __getstate__(self):
        raise TypeError(
            "An InMemoryStorage cannot be shared with worker processes. "
            "Use the default SQLite storage or a database URL with `workers=`."
        )
