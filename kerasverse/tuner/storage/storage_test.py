"""Conformance tests run against every storage (memory, SQLite, PostgreSQL)."""

import multiprocessing
import os
import uuid

import pytest

from kerasverse.tuner import errors
from kerasverse.tuner.storage import InMemoryStorage
from kerasverse.tuner.storage import SQLStorage
from kerasverse.tuner.storage import get_storage

POSTGRES_URL = os.environ.get("KERASVERSE_TEST_POSTGRES_URL")
requires_postgres = pytest.mark.skipif(
    not POSTGRES_URL,
    reason="KERASVERSE_TEST_POSTGRES_URL is unset (CI starts a server with .ci/setup.d/postgres.sh)",
)


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgres", marks=requires_postgres)])
def storage(request, tmp_path):
    if request.param == "memory":
        return InMemoryStorage()
    if request.param == "sqlite":
        return SQLStorage(f"sqlite:///{tmp_path / 'study.db'}")
    return SQLStorage(POSTGRES_URL)


def _trial(trial_id, status="RUNNING", score=None):
    return {"trial_id": trial_id, "status": status, "score": score, "payload": [1, 2]}


def test_new_study_is_empty(storage):
    storage.open_study(f"s-{uuid.uuid4().hex}")
    with storage.transaction() as txn:
        assert txn.revision() == 0
        assert txn.state() is None
        assert txn.trials_since(0) == []


def test_write_then_read_incrementally(storage):
    name = f"s-{uuid.uuid4().hex}"
    storage.open_study(name)
    with storage.transaction() as txn:
        assert txn.write([_trial("0"), _trial("1")], {"seed": 1}) == 1
    with storage.transaction() as txn:
        assert txn.write([_trial("1", "COMPLETED", 0.5)], None) == 2
    with storage.transaction() as txn:
        assert txn.revision() == 2
        assert txn.state() == {"seed": 1}
        assert [t["trial_id"] for t in txn.trials_since(0)] == ["0", "1"]
        changed = txn.trials_since(1)
        assert changed == [_trial("1", "COMPLETED", 0.5)]
    assert name in storage.study_names() or isinstance(storage, InMemoryStorage)


def test_failed_transaction_leaves_no_trace(storage):
    storage.open_study(f"s-{uuid.uuid4().hex}")
    with pytest.raises(KeyError):
        with storage.transaction() as txn:
            txn.write([_trial("0")], {"seed": 1})
            raise KeyError("crash inside the transaction")
    with storage.transaction() as txn:
        if isinstance(storage, InMemoryStorage):
            pytest.skip("the in-memory storage has no rollback (one process, no crash recovery)")
        assert txn.revision() == 0 and txn.trials_since(0) == []


def test_overwrite_and_separate_studies(storage):
    a, b = f"a-{uuid.uuid4().hex}", f"b-{uuid.uuid4().hex}"
    storage.open_study(a)
    with storage.transaction() as txn:
        txn.write([_trial("0")], {"seed": 1})
    storage.open_study(b)
    with storage.transaction() as txn:
        assert txn.trials_since(0) == []
    storage.open_study(a)
    with storage.transaction() as txn:
        assert len(txn.trials_since(0)) == 1
    storage.open_study(a, overwrite=True)
    with storage.transaction() as txn:
        assert txn.trials_since(0) == [] and txn.state() is None


def test_corrupted_database_raises_clear_error(tmp_path):
    path = tmp_path / "study.db"
    path.write_bytes(b"this is not an sqlite database" * 100)
    with pytest.raises(errors.StudyStorageError, match="corrupted"):
        SQLStorage(f"sqlite:///{path}").open_study("s")


def test_unreachable_url_raises_clear_error():
    storage = SQLStorage("postgresql+psycopg://user:secret@127.0.0.1:1/nope", timeout=2)
    with pytest.raises(errors.StudyStorageError, match="unreachable") as info:
        storage.open_study("s")
    assert "secret" not in str(info.value)
    with pytest.raises(ValueError, match="must be an SQLAlchemy database URL"):
        SQLStorage("not a url")
    with pytest.raises(TypeError, match="`storage` must be None"):
        get_storage(3)


def _claim_ids(url, name, count, queue):
    storage = SQLStorage(url)
    storage.open_study(name)
    claimed = []
    for _ in range(count):
        with storage.transaction() as txn:
            trials = txn.trials_since(0)
            trial_id = str(len(trials))
            txn.write([_trial(trial_id)], None)
            claimed.append(trial_id)
    queue.put(claimed)


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=requires_postgres)])
@pytest.mark.slow
def test_processes_never_issue_an_id_twice(tmp_path, backend):
    url = f"sqlite:///{tmp_path / 'study.db'}" if backend == "sqlite" else POSTGRES_URL
    name = f"s-{uuid.uuid4().hex}"
    SQLStorage(url).open_study(name)
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    processes = [context.Process(target=_claim_ids, args=(url, name, 15, queue)) for _ in range(4)]
    for p in processes:
        p.start()
    claimed = [i for _ in processes for i in queue.get(timeout=120)]
    for p in processes:
        p.join()
    assert sorted(claimed, key=int) == [str(i) for i in range(60)]
