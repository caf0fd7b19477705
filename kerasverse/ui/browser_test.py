"""The UI in real headless Chromium: the page shows what the stores hold.

Screenshots of each view are saved for the docs: into `$KERASVERSE_UI_SHOTS`
when set (docs/images/ui/ holds the committed ones), else a temporary folder.
"""

import json
import os
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path

import pytest

from kerasverse.tuner.engine.objective import Objective
from kerasverse.tuner.oracles import RandomSearchOracle
from kerasverse.tuner.pruners import MedianPruner
from kerasverse.tuner.report import load_study
from kerasverse.tuner.testing import FunctionTuner
from kerasverse.ui import create_app
from kerasverse.ui.app_test import failing_sometimes
from kerasverse.ui.app_test import make_study
from kerasverse.ui.launcher import BackgroundServer
from kerasverse.ui.launcher import default_sections

HERE = Path(__file__).resolve().parent
NODE_MODULES = HERE.parents[1] / "js" / "node_modules"
DRIVER = HERE / "browser_driver.js"


def find_chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if shutil.which(name):
            return shutil.which(name)
    return None


def _missing():
    if not shutil.which("node"):
        return "Node.js is not installed (`apt-get install nodejs npm`)."
    if not (NODE_MODULES / "playwright-core" / "package.json").exists():
        return "playwright-core is not installed in js/ (`npm ci --prefix js`)."
    if not find_chromium():
        return "Chromium is not installed (`apt-get install chromium`)."
    return None


MISSING = _missing()
pytestmark = [
    pytest.mark.host,
    pytest.mark.requires_node,
    pytest.mark.skipif(MISSING is not None, reason=f"browser test needs: {MISSING}"),
]


class Driver:
    """Runs browser_driver.js on a plan; yields its JSON lines."""

    def __init__(self, plan, tmp_path):
        plan_path = tmp_path / f"plan-{os.getpid()}-{id(plan)}.json"
        plan_path.write_text(json.dumps(plan))
        self.process = subprocess.Popen(
            ["node", str(DRIVER), str(NODE_MODULES), find_chromium(), str(plan_path)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env={**os.environ, "HOME": tempfile.gettempdir()},
        )

    def events(self):
        for line in self.process.stdout:
            if line.strip():
                yield json.loads(line)
        self.process.wait(timeout=120)
        if self.process.returncode != 0:
            raise AssertionError(self.process.stderr.read()[-4000:])


def shots_dir(tmp_path):
    folder = os.environ.get("KERASVERSE_UI_SHOTS")
    if folder:
        os.makedirs(folder, exist_ok=True)
        return folder
    return str(tmp_path)


@pytest.fixture()
def site(tmp_path):
    root = tmp_path / "runs"
    tuner = make_study(root / "experiments")
    server = BackgroundServer(create_app([str(root)], extra_sections=default_sections()))
    yield {"url": server.url, "root": root, "tuner": tuner}
    server.stop()


def test_study_pages_show_the_storage_numbers(site, tmp_path):
    import httpx

    key = next(s["key"] for s in httpx.get(site["url"] + "/api/studies").json()["studies"])
    plan = {
        "base": site["url"], "shots": shots_dir(tmp_path),
        "pages": [
            {"name": "overview", "path": "/"},
            {"name": "study", "path": "/", "click": "#studies a[href^='/studies/']"},
            {"name": "study-sorted", "path": f"/studies/{key}?sort=score"},
        ],
    }
    pages = {event["name"]: event for event in Driver(plan, tmp_path).events()}
    oracle = load_study(site["tuner"].project_dir)
    for page in pages.values():
        assert page["consoleErrors"] == [], page["consoleErrors"]
        assert page["errors"] == []
    overview = pages["overview"]["cells"]["studies"]
    assert overview[0]["num_trials"] == len(oracle.trials)
    assert overview[0]["best_score"] == pytest.approx(oracle.get_best_trials(1)[0].score)
    study = pages["study"]
    assert study["url"].endswith(f"/studies/{key}")
    rows = study["cells"]["trials"]
    assert len(rows) == len(oracle.trials) == 14
    for row in rows:
        trial = oracle.trials[row["trial_id"]]
        assert row["status"] == trial.status
        assert row["score"] == (pytest.approx(trial.score) if trial.score is not None else None)
        assert row["hp:units"] == trial.hyperparameters.values["units"]
    for name in ("history", "intermediate", "parallel", "importance"):
        assert study["figures"][name]["drawn"] == "plot", name
    scored = [t for t in oracle.trials.values() if t.score is not None]
    assert study["figures"]["history"]["points"] >= len(scored)
    sorted_scores = [r["score"] for r in pages["study-sorted"]["cells"]["trials"] if r["score"] is not None]
    assert sorted_scores == sorted(sorted_scores)
    assert study["texts"]["best-score"] == f"{oracle.get_best_trials(1)[0].score:.6g}"


def test_study_page_updates_while_a_search_runs(site, tmp_path):
    import httpx

    key = next(s["key"] for s in httpx.get(site["url"] + "/api/studies").json()["studies"])
    plan = {"base": site["url"], "watch": {"path": f"/studies/{key}", "timeout_ms": 60000}}
    driver = Driver(plan, tmp_path)
    events = driver.events()
    opened = next(events)
    assert opened["event"] == "open" and len(opened["cells"]["trials"]) == 14

    def more_trials():
        oracle = RandomSearchOracle(Objective("loss", "min"), max_trials=18, seed=1)
        FunctionTuner(oracle, function=failing_sometimes, intermediate_steps=3,
                      directory=str(site["root"] / "experiments"), project_name="single",
                      pruner=MedianPruner(n_startup_trials=2), verbose=0).search()

    thread = threading.Thread(target=more_trials)
    thread.start()
    updated = next(events)
    thread.join()
    list(events)
    assert updated["event"] == "updated" and updated["consoleErrors"] == []
    assert len(updated["cells"]["trials"]) > 14
