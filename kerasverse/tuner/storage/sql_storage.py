"""`SQLStorage`: a study in any SQLAlchemy database (SQLite file, PostgreSQL, ...)."""

import contextlib
import json
import os
import time

from kerasverse.tuner import errors
from kerasverse.tuner.storage.storage import Storage
from kerasverse.tuner.storage.storage import StudyTransaction

SCHEMA_VERSION = 1


def _import_sqlalchemy():
    try:
        import sqlalchemy
    except ImportError as error:  # pragma: no cover - depends on the install
        raise ImportError(
            "Study storage needs SQLAlchemy. Install it with "
            "`pip install 'kerasverse[tuner]'` (or `pip install sqlalchemy`)."
        ) from error
    return sqlalchemy


def _safe_url(url):
    """The URL with its password masked, for error messages."""
    try:
        return _import_sqlalchemy().engine.make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "<unparseable URL>"


class _Tables:
    def __init__(self, sa):
        self.metadata = sa.MetaData()
        self.studies = sa.Table(
            "kerasverse_studies",
            self.metadata,
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
            sa.Column("name", sa.String(255), nullable=False, unique=True),
            sa.Column("revision", sa.Integer, nullable=False, default=0),
            sa.Column("state", sa.Text, nullable=True),
            sa.Column("schema_version", sa.Integer, nullable=False),
            sa.Column("created", sa.Float, nullable=False),
        )
        self.trials = sa.Table(
            "kerasverse_trials",
            self.metadata,
            sa.Column("study_id", sa.Integer, sa.ForeignKey("kerasverse_studies.id"), primary_key=True),
            sa.Column("trial_id", sa.String(64), primary_key=True),
            sa.Column("number", sa.Integer, nullable=False),
            sa.Column("seq", sa.Integer, nullable=False),
            sa.Column("status", sa.String(16), nullable=False),
            sa.Column("score", sa.Float, nullable=True),
            sa.Column("config", sa.Text, nullable=False),
            sa.Index("kerasverse_trials_seq", "study_id", "seq"),
        )


class _Statements:
    """Pre-built SQL (textual statements skip SQLAlchemy's per-call
    compilation, which dominated the per-trial cost)."""

    def __init__(self, sa, for_update):
        text = sa.text
        lock = " FOR UPDATE" if for_update else ""
        self.study = text("SELECT revision, state FROM kerasverse_studies WHERE id = :id")
        self.study_locked = text(f"SELECT revision, state FROM kerasverse_studies WHERE id = :id{lock}")
        self.trials_since = text(
            "SELECT config FROM kerasverse_trials WHERE study_id = :study_id AND seq > :seq "
            "ORDER BY number"
        )
        self.update_trial = text(
            "UPDATE kerasverse_trials SET seq = :seq, status = :status, score = :score, "
            "config = :config WHERE study_id = :study_id AND trial_id = :trial_id"
        )
        self.count_trials = text("SELECT COUNT(*) FROM kerasverse_trials WHERE study_id = :study_id")
        self.insert_trial = text(
            "INSERT INTO kerasverse_trials (study_id, trial_id, number, seq, status, score, config) "
            "VALUES (:study_id, :trial_id, :number, :seq, :status, :score, :config)"
        )
        self.update_study = text("UPDATE kerasverse_studies SET revision = :revision WHERE id = :id")
        self.update_study_state = text(
            "UPDATE kerasverse_studies SET revision = :revision, state = :state WHERE id = :id"
        )


class _SQLTransaction(StudyTransaction):
    def __init__(self, statements, connection, study_id, write=True):
        self._sql = statements
        self._connection = connection
        self._study_id = study_id
        query = statements.study_locked if write else statements.study
        row = connection.execute(query, {"id": study_id}).one_or_none()
        if row is None:
            raise errors.StudyStorageError(
                "The study was deleted from the database while in use (another tuner "
                "with overwrite=True?). Open it again."
            )
        self._revision = row[0]
        self._state_text = row[1]

    def revision(self):
        return self._revision

    def state(self):
        return None if self._state_text is None else json.loads(self._state_text)

    def trials_since(self, revision):
        rows = self._connection.execute(
            self._sql.trials_since, {"study_id": self._study_id, "seq": revision}
        )
        return [json.loads(row[0]) for row in rows]

    def write(self, trial_configs, state):
        sql, connection = self._sql, self._connection
        self._revision += 1
        for config in trial_configs:
            values = {
                "study_id": self._study_id,
                "trial_id": config["trial_id"],
                "seq": self._revision,
                "status": config["status"],
                "score": _finite_or_none(config.get("score")),
                "config": json.dumps(config),
            }
            if not connection.execute(sql.update_trial, values).rowcount:
                number = connection.execute(
                    sql.count_trials, {"study_id": self._study_id}
                ).scalar_one()
                connection.execute(sql.insert_trial, {**values, "number": number})
        if state is None:
            connection.execute(sql.update_study, {"revision": self._revision, "id": self._study_id})
        else:
            connection.execute(
                sql.update_study_state,
                {"revision": self._revision, "state": json.dumps(state), "id": self._study_id},
            )
        return self._revision


def _finite_or_none(value):
    if value is None:
        return None
    try:
        value = float(value)
    except (TypeError, ValueError):
        return None
    return value if value == value and abs(value) != float("inf") else None


class SQLStorage(Storage):
    """Stores studies in a database through SQLAlchemy.

    Every trial (hyperparameters, metrics, intermediate values, status,
    score) is a row of `kerasverse_trials`; the oracle state is a row of
    `kerasverse_studies`. Transactions lock the study row (`BEGIN IMMEDIATE`
    on SQLite, `SELECT ... FOR UPDATE` on PostgreSQL), so many processes and
    machines can share one study.

    Args:
        url: An SQLAlchemy URL, e.g. `"sqlite:///path/study.db"` or
            `"postgresql+psycopg://user:pass@host/db"`.
        timeout: Seconds to wait for the database lock.

    Example:

    ```python
    tuner = kt.RandomSearch(build_model, "val_loss", max_trials=20,
                            storage="postgresql+psycopg://localhost/studies")
    ```
    """

    def __init__(self, url, timeout=60.0):
        if not isinstance(url, str) or "://" not in url:
            raise ValueError(
                "`url` must be an SQLAlchemy database URL such as "
                f"'sqlite:///study.db'. Received: url={url!r}"
            )
        self.url = url
        self.timeout = float(timeout)
        self._engine = None
        self._study_id = None
        self._name = None

    # Pickling (for worker processes) carries the URL and study name only.
    def __getstate__(self):
        return {"url": self.url, "timeout": self.timeout, "name": self._name}

    def __setstate__(self, state):
        self.__init__(state["url"], state["timeout"])
        if state["name"] is not None:
            self.open_study(state["name"])

    @property
    def is_sqlite(self):
        return self.url.startswith("sqlite")

    def _get_engine(self):
        if self._engine is not None and self._engine_pid == os.getpid():
            return self._engine
        sa = _import_sqlalchemy()
        try:
            if self.is_sqlite:
                engine = sa.create_engine(
                    self.url, connect_args={"timeout": self.timeout, "isolation_level": None}
                )

                @sa.event.listens_for(engine, "connect")
                def _on_connect(dbapi_connection, record):
                    cursor = dbapi_connection.cursor()
                    cursor.execute("PRAGMA journal_mode=WAL")
                    cursor.execute("PRAGMA synchronous=NORMAL")
                    cursor.execute(f"PRAGMA busy_timeout={int(self.timeout * 1000)}")
                    cursor.close()

                @sa.event.listens_for(engine, "begin")
                def _on_begin(connection):
                    if connection.get_execution_options().get("kerasverse_read_only"):
                        connection.exec_driver_sql("BEGIN")
                    else:
                        connection.exec_driver_sql("BEGIN IMMEDIATE")

            else:
                engine = sa.create_engine(self.url, pool_pre_ping=True)
        except Exception as error:
            raise errors.StudyStorageError(
                f"Cannot use the study storage URL {_safe_url(self.url)}: {error}. "
                "Check the URL and that its database driver is installed."
            ) from error
        self._engine = engine
        self._engine_pid = os.getpid()
        self._tables = _Tables(sa)
        self._statements = _Statements(sa, for_update=not self.is_sqlite)
        return engine

    def _fail(self, error, action):
        return errors.StudyStorageError(
            f"Cannot {action} the study storage at {_safe_url(self.url)}: "
            f"{type(error).__name__}: {str(error).splitlines()[0]}. The database is "
            "unreachable, or the file is not a kerasverse study (corrupted?). Check the "
            "URL/server, or delete the file / pass overwrite=True to start a new study."
        )

    def open_study(self, name, overwrite=False):
        sa = _import_sqlalchemy()
        engine = self._get_engine()
        tables = self._tables
        try:
            for attempt in range(5):
                try:
                    tables.metadata.create_all(engine, checkfirst=True)
                    break
                except sa.exc.OperationalError as error:
                    if "already exists" not in str(error) or attempt == 4:
                        raise
                    time.sleep(0.05)
                except sa.exc.IntegrityError:
                    time.sleep(0.05)  # Another process created the tables.
            with engine.begin() as connection:
                row = connection.execute(
                    sa.select(tables.studies.c.id, tables.studies.c.schema_version).where(
                        tables.studies.c.name == name
                    )
                ).one_or_none()
                if row is not None and overwrite:
                    connection.execute(tables.trials.delete().where(tables.trials.c.study_id == row.id))
                    connection.execute(tables.studies.delete().where(tables.studies.c.id == row.id))
                    row = None
                if row is None:
                    study_id = connection.execute(
                        tables.studies.insert().values(
                            name=name, revision=0, state=None,
                            schema_version=SCHEMA_VERSION, created=time.time(),
                        )
                    ).inserted_primary_key[0]
                else:
                    if row.schema_version != SCHEMA_VERSION:
                        raise errors.StudyStorageError(
                            f"The study {name!r} at {_safe_url(self.url)} has schema version "
                            f"{row.schema_version}; this kerasverse reads version {SCHEMA_VERSION}."
                        )
                    study_id = row.id
        except errors.StudyStorageError:
            raise
        except sa.exc.IntegrityError:
            # Another process inserted the study at the same time: use it.
            return self.open_study(name, overwrite=False)
        except sa.exc.SQLAlchemyError as error:
            raise self._fail(error, "open") from error
        self._study_id = study_id
        self._name = name

    @contextlib.contextmanager
    def transaction(self, write=True):
        if self._study_id is None:
            raise RuntimeError("Call `open_study(name)` before `transaction()`.")
        sa = _import_sqlalchemy()
        engine = self._get_engine()
        try:
            with engine.connect() as connection:
                connection = connection.execution_options(kerasverse_read_only=not write)
                with connection.begin():
                    yield _SQLTransaction(self._statements, connection, self._study_id, write)
        except sa.exc.SQLAlchemyError as error:
            raise self._fail(error, "use") from error

    def study_names(self):
        sa = _import_sqlalchemy()
        engine = self._get_engine()
        try:
            if not sa.inspect(engine).has_table("kerasverse_studies"):
                return []
            with engine.connect() as connection:
                return sorted(
                    row.name for row in connection.execute(sa.select(self._tables.studies.c.name))
                )
        except sa.exc.SQLAlchemyError as error:
            raise self._fail(error, "read") from error

    def close(self):
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None
