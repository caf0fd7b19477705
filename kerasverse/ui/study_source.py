"""`StudySource`: read-only access to the tuner studies in one database.

The UI reads the tuner's tables directly (`kerasverse_studies`,
`kerasverse_trials`, see `kerasverse.tuner.storage.SQLStorage`), read-only and
page by page, so a study of 10,000 trials opens without loading them all:
summaries and the history plot come from SQL columns; only the page of the
trials table being shown parses its trial configs. It never imports Keras.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import threading
from dataclasses import dataclass
from typing import Any

from kerasverse.tuner.report import figures

TRIAL_SORT_COLUMNS = ("number", "status", "score", "duration")
PAGE_SIZE = 50


class StoreError(Exception):
    """A store that is missing, unreadable or not what it should be; its
    message is shown on the page as it is."""


@dataclass(frozen=True)
class StudyRef:
    """One study: where it lives and under which key the UI shows it."""

    key: str
    url: str
    name: str
    label: str


def study_key(url: str, name: str) -> str:
    return hashlib.sha1(f"{url}\0{name}".encode()).hexdigest()[:12]


def sqlite_url(path: str) -> str:
    """A read-only SQLAlchemy URL for the SQLite file at `path`."""
    return f"sqlite:///file:{os.path.abspath(path)}?mode=ro&uri=true"


def _finite_or_none(value):
    if value is None:
        return None
    try:
        value = float(value)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


class StudySource:
    """The studies of one tuner database.

    Args:
        url: An SQLAlchemy URL (`sqlite:///...`, `postgresql+psycopg://...`).
        label: How the UI names this database (a project directory, say).

    Example:

    ```python
    source = StudySource(sqlite_url("my_dir/my_project/study.db"), "my_dir/my_project")
    for ref in source.studies():
        print(ref.name, source.summary(ref.name)["best_score"])
    ```
    """

    def __init__(self, url: str, label: str | None = None):
        self.url = url
        self.label = label or url
        self._engine = None
        self._lock = threading.Lock()
        self._figure_cache: dict[tuple[str, str, int], dict] = {}

    # ------------------------------------------------------------------
    def _connect(self):
        try:
            import sqlalchemy as sa
        except ImportError as error:  # pragma: no cover - depends on the install
            raise StoreError("Reading studies needs SQLAlchemy: pip install 'kerasverse[tuner]'.") from error
        with self._lock:
            if self._engine is None:
                self._engine = sa.create_engine(self.url, pool_pre_ping=True)
        try:
            return self._engine.connect()
        except sa.exc.SQLAlchemyError as error:
            raise StoreError(f"Cannot open the study database {self.label}: {error.__class__.__name__}: "
                             f"{str(error).splitlines()[0]}") from error

    def _query(self, sql: str, **params) -> list[tuple]:
        import sqlalchemy as sa

        try:
            with self._connect() as connection:
                return [tuple(row) for row in connection.execute(sa.text(sql), params)]
        except sa.exc.SQLAlchemyError as error:
            raise StoreError(
                f"The study database {self.label} cannot be read as a kerasverse study store "
                f"({error.__class__.__name__}: {str(error).splitlines()[0]})."
            ) from error

    def _study_row(self, name: str) -> tuple:
        rows = self._query(
            "SELECT id, revision, state, created FROM kerasverse_studies WHERE name = :name", name=name
        )
        if not rows:
            raise StoreError(f"No study named {name!r} in {self.label}.")
        return rows[0]

    def _state(self, name: str) -> tuple[int, int, dict]:
        study_id, revision, state_text, _ = self._study_row(name)
        try:
            state = json.loads(state_text) if state_text else {}
        except ValueError as error:
            raise StoreError(f"The state of study {name!r} in {self.label} is not valid JSON.") from error
        return study_id, revision, state

    # ------------------------------------------------------------------
    def studies(self) -> list[StudyRef]:
        """The studies in this database, by name."""
        names = [row[0] for row in self._query("SELECT name FROM kerasverse_studies ORDER BY name")]
        return [StudyRef(study_key(self.url, n), self.url, n, f"{self.label} :: {n}") for n in names]

    def summary(self, name: str) -> dict[str, Any]:
        """Counts per status, the best score, the revision and the objective."""
        study_id, revision, state = self._state(name)
        counts = dict(self._query(
            "SELECT status, COUNT(*) FROM kerasverse_trials WHERE study_id = :id GROUP BY status", id=study_id
        ))
        names, directions = figures.objective_spec(state.get("objective"))
        direction = directions[0] if len(names) == 1 else "min"
        aggregate = "MIN" if direction == "min" else "MAX"
        best_rows = self._query(
            f"SELECT {aggregate}(score) FROM kerasverse_trials WHERE study_id = :id AND status = 'COMPLETED'",
            id=study_id,
        )
        best = _finite_or_none(best_rows[0][0]) if best_rows else None
        best_trial = None
        if best is not None:
            rows = self._query(
                "SELECT trial_id FROM kerasverse_trials WHERE study_id = :id AND status = 'COMPLETED' "
                "AND score = :score ORDER BY number LIMIT 1", id=study_id, score=best,
            )
            best_trial = rows[0][0] if rows else None
        total = sum(counts.values())
        running = counts.get("RUNNING", 0)
        if total == 0:
            status = "EMPTY"
        elif running:
            status = "RUNNING"
        else:
            status = "FINISHED"
        return {
            "name": name,
            "revision": int(revision),
            "objective": names[0] if len(names) == 1 else " + ".join(names),
            "objectives": names,
            "directions": directions,
            "direction": direction,
            "num_trials": total,
            "counts": counts,
            "best_score": best,
            "best_trial": best_trial,
            "status": status,
            "space": [c["name"] for c in figures.space_columns(state.get("space"))],
        }

    def trials_page(
        self,
        name: str,
        offset: int = 0,
        limit: int = PAGE_SIZE,
        sort: str = "number",
        descending: bool = False,
        status: str | None = None,
    ) -> dict[str, Any]:
        """One page of the trials table, sorted in the database.

        Args:
            sort: `"number"`, `"status"`, `"score"`, `"duration"` or the name
                of a hyperparameter (sorted on its stored value).
            status: Only trials with this status.
        """
        study_id, revision, state = self._state(name)
        space = [c["name"] for c in figures.space_columns(state.get("space"))]
        offset, limit = max(int(offset), 0), min(max(int(limit), 1), 500)
        where = "study_id = :id" + (" AND status = :status" if status else "")
        params = {"id": study_id, "status": status, "limit": limit, "offset": offset}
        total = self._query(f"SELECT COUNT(*) FROM kerasverse_trials WHERE {where}", **params)[0][0]
        order = "DESC" if descending else "ASC"
        if sort in ("number", "status", "score"):
            # NULL scores (running, failed) last in both directions.
            key = sort if sort != "score" else "CASE WHEN score IS NULL THEN 1 ELSE 0 END, score"
            rows = self._query(
                f"SELECT number, config FROM kerasverse_trials WHERE {where} "
                f"ORDER BY {key} {order}, number LIMIT :limit OFFSET :offset", **params,
            )
            configs = [(row[0], json.loads(row[1])) for row in rows]
        elif sort == "duration" or sort in space:
            rows = self._query(f"SELECT number, config FROM kerasverse_trials WHERE {where}", **params)
            configs = [(row[0], json.loads(row[1])) for row in rows]

            def sort_key(item):
                record = figures.record_from_config(item[1], item[0])
                value = _duration(record) if sort == "duration" else record["values"].get(sort)
                missing = value is None
                return (missing, _comparable(value), item[0])

            configs.sort(key=sort_key, reverse=descending)
            if descending:  # Keep missing values last.
                configs.sort(key=lambda item: sort_key(item)[0])
            configs = configs[offset:offset + limit]
        else:
            raise ValueError(
                f"Unknown sort column {sort!r}. Expected one of {[*TRIAL_SORT_COLUMNS, *space]}."
            )
        names, _ = figures.objective_spec(state.get("objective"))
        trials = []
        for number, config in configs:
            record = figures.record_from_config(config, number, names)
            trials.append({
                "number": record["number"],
                "trial_id": record["trial_id"],
                "status": record["status"],
                "score": _finite_or_none(record["score"]),
                "values": {k: record["values"].get(k) for k in space},
                "duration": _duration(record),
                "message": record["message"],
                "steps": len(record["intermediate"]),
            })
        return {
            "name": name, "revision": int(revision), "total": int(total), "offset": offset,
            "limit": limit, "sort": sort, "descending": descending, "status": status,
            "columns": space, "trials": trials,
        }

    def records(self, name: str) -> tuple[int, dict, list[dict]]:
        """(revision, state, every trial record) of a study."""
        study_id, revision, state = self._state(name)
        names, _ = figures.objective_spec(state.get("objective"))
        rows = self._query(
            "SELECT number, config FROM kerasverse_trials WHERE study_id = :id ORDER BY number", id=study_id
        )
        return revision, state, [figures.record_from_config(json.loads(c), n, names) for n, c in rows]

    def study_figures(self, name: str) -> dict[str, Any]:
        """The study's figures (those of `tuner.report()`) but importance,
        cached per revision."""
        return self._cached(name, "figures", self._compute_figures)

    def study_importance(self, name: str) -> dict[str, Any]:
        """Hyperparameter importance (a random forest: the slow figure, so
        the page asks for it after drawing the others), cached per revision."""
        return self._cached(name, "importance", self._compute_importance)

    def _cached(self, name, kind, compute):
        _, revision, _, _ = self._study_row(name)
        key = (name, kind, revision)
        cached = self._figure_cache.get(key)
        if cached is None:
            cached = compute(name)
            with self._lock:
                self._figure_cache = {k: v for k, v in self._figure_cache.items() if k[:2] != key[:2]}
                self._figure_cache[(name, kind, cached["revision"])] = cached
        return cached

    def _records(self, name):
        revision, state, records = self.records(name)
        with self._lock:
            self._records_cache = (name, revision, state, records)
        return revision, state, records

    def _cached_records(self, name):
        _, revision, _, _ = self._study_row(name)
        cached = getattr(self, "_records_cache", None)
        if cached and cached[0] == name and cached[1] == revision:
            return cached[1:]
        return self._records(name)

    def _compute_figures(self, name):
        revision, state, records = self._cached_records(name)
        names, directions = figures.objective_spec(state.get("objective"))
        direction = directions[0] if len(names) == 1 else "min"
        space = state.get("space")
        objective_name = names[0] if len(names) == 1 else "multi_objective"
        return {
            "revision": int(revision),
            "figures": {
                "history": figures.history_figure(records, direction, objective_name),
                "intermediate": figures.intermediate_figure(records, objective_name),
                "parallel": figures.parallel_coordinates_figure(records, space, direction),
                "pareto": figures.pareto_figure(records, names, directions),
            },
            "pareto_front": [r["trial_id"] for r in figures.pareto_front(records, directions)]
            if len(names) > 1 else [],
        }

    def _compute_importance(self, name):
        revision, state, records = self._cached_records(name)
        importance = figures.hyperparameter_importance_from_records(records, state.get("space"))
        return {"revision": int(revision), "importance": importance,
                "figures": {"importance": figures.importance_figure(importance)}}

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None


def _duration(record):
    started, ended = record.get("started"), record.get("ended")
    if started is None or ended is None:
        return None
    return max(float(ended) - float(started), 0.0)


def _comparable(value):
    if value is None:
        return (2, "")
    if isinstance(value, bool):
        return (0, float(value))
    if isinstance(value, (int, float)):
        return (0, float(value))
    return (1, str(value))
