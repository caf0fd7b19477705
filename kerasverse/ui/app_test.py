"""The UI's routes on a real server over real study databases."""

import os
import sqlite3

import httpx
import pytest

from kerasverse.tuner.engine.objective import Objective
from kerasverse.tuner.oracles import RandomSearchOracle
from kerasverse.tuner.pruners import MedianPruner
from kerasverse.tuner.report import load_study
from kerasverse.tuner.testing import FunctionTuner
from kerasverse.ui import create_app
from kerasverse.ui.launcher import BackgroundServer
from kerasverse.ui.study_source import StudySource
from kerasverse.ui.study_source import sqlite_url

pytestmark = pytest.mark.host


def failing_sometimes(hp):
    x = hp.Float("x", -1.0, 1.0)
    hp.Int("units", 8, 64, sampling="log")
    if x > 0.8:
        raise ValueError("x too large for this toy objective")
    return (x - 0.3) ** 2


def two_scores(hp):
    x = hp.Float("x", 0.0, 1.0)
    return {"a": x, "b": x * x + (0.3 if hp.Choice("y", [0, 1]) else 0.0)}


def make_study(root, name="single", trials=14):
    oracle = RandomSearchOracle(Objective("loss", "min"), max_trials=trials, seed=1)
    tuner = FunctionTuner(
        oracle, function=failing_sometimes, intermediate_steps=3, directory=str(root), project_name=name,
        pruner=MedianPruner(n_startup_trials=2), verbose=0,
    )
    tuner.search()
    return tuner


@pytest.fixture(scope="module")
def ui(tmp_path_factory):
    root = tmp_path_factory.mktemp("ui-root")
    single = make_study(root / "experiments")
    oracle = RandomSearchOracle([Objective("a", "min"), Objective("b", "max")], max_trials=10, seed=3)
    multi = FunctionTuner(oracle, function=two_scores, directory=str(root / "experiments"),
                          project_name="multi", verbose=0)
    multi.search()
    broken = root / "broken" / "proj"
    broken.mkdir(parents=True)
    (broken / "study.db").write_bytes(b"this is not a database" * 10)
    server = BackgroundServer(create_app([str(root)]))
    yield {"url": server.url, "root": root, "single": single, "multi": multi}
    server.stop()


def _study(ui, name):
    studies = httpx.get(ui["url"] + "/api/studies").json()["studies"]
    return next(s for s in studies if s.get("name") == name)


def test_study_list_matches_the_storage(ui):
    single = _study(ui, "single")
    oracle = load_study(ui["single"].project_dir)
    counts = {}
    for trial in oracle.trials.values():
        counts[trial.status] = counts.get(trial.status, 0) + 1
    assert single["num_trials"] == len(oracle.trials) == 14
    assert single["counts"] == counts
    assert single["counts"].get("FAILED", 0) >= 1 and single["counts"].get("PRUNED", 0) >= 1
    assert single["best_score"] == pytest.approx(oracle.get_best_trials(1)[0].score)
    assert single["best_trial"] == oracle.get_best_trials(1)[0].trial_id
    assert single["status"] == "FINISHED"
    assert single["space"] == ["x", "units"]


def test_broken_store_is_a_message_not_a_traceback(ui):
    studies = httpx.get(ui["url"] + "/api/studies").json()["studies"]
    broken = [s for s in studies if "broken" in s["store"]]
    assert len(broken) == 1 and "cannot be read" in broken[0]["error"]
    page = httpx.get(ui["url"] + "/")
    assert page.status_code == 200
    assert "cannot be read as a kerasverse study store" in page.text
    assert "Traceback" not in page.text


def test_trials_are_paged_and_sorted_in_the_database(ui):
    key = _study(ui, "single")["key"]
    oracle = load_study(ui["single"].project_dir)
    scored = sorted(
        (t for t in oracle.trials.values() if t.score is not None), key=lambda t: (t.score, int(t.trial_id))
    )
    first = httpx.get(f"{ui['url']}/api/studies/{key}/trials", params={"sort": "score", "limit": 5}).json()
    assert first["total"] == 14
    assert [t["trial_id"] for t in first["trials"]] == [t.trial_id for t in scored[:5]]
    second = httpx.get(f"{ui['url']}/api/studies/{key}/trials",
                       params={"sort": "score", "limit": 5, "page": 2}).json()
    assert [t["trial_id"] for t in second["trials"]] == [t.trial_id for t in scored[5:10]]
    by_units = httpx.get(f"{ui['url']}/api/studies/{key}/trials",
                         params={"sort": "units", "desc": "1", "limit": 500}).json()["trials"]
    units = [t["values"]["units"] for t in by_units]
    assert units == sorted(units, reverse=True)
    failed = httpx.get(f"{ui['url']}/api/studies/{key}/trials", params={"status": "FAILED"}).json()
    assert failed["total"] >= 1
    assert all("x too large" in t["message"] for t in failed["trials"])


def test_figures_hold_the_study(ui):
    key = _study(ui, "single")["key"]
    result = httpx.get(f"{ui['url']}/api/studies/{key}/figures").json()
    history = result["figures"]["history"]
    points = sum(len(t["x"]) for t in history["data"] if t["mode"] == "markers")
    oracle = load_study(ui["single"].project_dir)
    assert points == sum(1 for t in oracle.trials.values() if t.score is not None)
    assert result["figures"]["pareto"] is None
    importance = httpx.get(f"{ui['url']}/api/studies/{key}/importance").json()
    assert set(importance["importance"]) == {"x", "units"}
    assert importance["figures"]["importance"]["data"][0]["type"] == "bar"
    multi = _study(ui, "multi")
    result = httpx.get(f"{ui['url']}/api/studies/{multi['key']}/figures").json()
    front = [t.trial_id for t in ui["multi"].oracle.get_pareto_front()]
    assert result["pareto_front"] == front
    assert result["figures"]["pareto"]["data"][1]["name"] == "Pareto front"


def test_bad_requests_get_clear_errors(ui):
    key = _study(ui, "single")["key"]
    response = httpx.get(f"{ui['url']}/api/studies/{key}/trials", params={"sort": "nope"})
    assert response.status_code == 400 and "Unknown sort column 'nope'" in response.json()["error"]
    response = httpx.get(f"{ui['url']}/api/studies/{key}/trials", params={"page": "x"})
    assert response.status_code == 400 and "must be integers" in response.json()["error"]
    response = httpx.get(f"{ui['url']}/api/studies/0000")
    assert response.status_code == 404 and "No study" in response.json()["error"]
    page = httpx.get(f"{ui['url']}/studies/0000")
    assert page.status_code == 404 and "No study with key" in page.text
    assert httpx.get(f"{ui['url']}/assets/..%2Fapp.py").status_code == 404


def test_the_ui_only_reads(ui, tmp_path):
    path = os.path.join(ui["single"].project_dir, "study.db")
    source = StudySource(sqlite_url(path))
    name = source.studies()[0].name
    assert source.summary(name)["num_trials"] == 14
    with pytest.raises(Exception, match="readonly|read-only"):
        source._query("UPDATE kerasverse_trials SET score = 0")
    source.close()
    with sqlite3.connect(path) as connection:
        assert connection.execute("SELECT COUNT(*) FROM kerasverse_trials WHERE score = 0").fetchone()[0] == 0
