"""The Pipelines view over a real penguin pipeline run (tiny steps), through
HTTP and in headless Chromium: runs, states, the DAG, artifacts, lineage back
to the CSV, statistics, anomalies, evaluation and blessing as the store and
the artifact files hold them."""

import json
import os
import sys
from pathlib import Path

import httpx
import pytest

from kerasverse.ui import create_app
from kerasverse.ui.browser_test import MISSING
from kerasverse.ui.browser_test import Driver
from kerasverse.ui.browser_test import shots_dir
from kerasverse.ui.launcher import BackgroundServer
from kerasverse.ui.launcher import default_sections
from kerasverse.ui.metadata_source import MetadataSource
from kerasverse.ui.study_source import sqlite_url

pytestmark = pytest.mark.host
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture(scope="module")
def pipeline_run(tmp_path_factory):
    sys.path.insert(0, str(EXAMPLES))
    try:
        import penguin_pipeline
    finally:
        sys.path.remove(str(EXAMPLES))
    from kerasverse import pipeline as tfx

    workdir = tmp_path_factory.mktemp("penguin")
    data_root = workdir / "data"
    data_root.mkdir()
    (data_root / "penguins.csv").write_bytes(open(penguin_pipeline.penguins_csv(), "rb").read())
    metadata = workdir / "metadata.sqlite"
    pipeline = penguin_pipeline.create_pipeline(
        "penguin", str(workdir / "root"), str(data_root), penguin_pipeline.__file__, str(workdir / "serving"),
        str(metadata), train_steps=4, eval_steps=2, tuner_steps=2, max_trials=1)
    runner = tfx.orchestration.LocalDagRunner()
    states = [runner.run(pipeline), runner.run(pipeline)]
    server = BackgroundServer(create_app([str(workdir)], extra_sections=default_sections()))
    source = MetadataSource(sqlite_url(str(metadata)))
    yield {"url": server.url, "workdir": workdir, "states": states, "source": source,
           "csv": str(data_root / "penguins.csv")}
    server.stop()
    source.close()


def _store(run):
    stores = httpx.get(run["url"] + "/api/pipelines").json()["stores"]
    assert len(stores) == 1, stores
    return stores[0]


def test_runs_and_states_match_the_runner(pipeline_run):
    store = _store(pipeline_run)
    assert store["total"] == 2
    newest, oldest = store["runs"]
    first, second = pipeline_run["states"]
    assert sum(oldest["counts"].values()) == len(first)
    # A skipped component is recorded as CANCELED (ML Metadata has no SKIPPED state).
    assert oldest["counts"].get("CANCELED", 0) == sum(1 for s in first.values() if s == "SKIPPED")
    # The runner and the store agree, resolvers included (CACHED on unchanged inputs).
    assert newest["counts"].get("CACHED", 0) == sum(1 for s in second.values() if s == "CACHED")
    assert oldest["status"] == "COMPLETE"
    run = httpx.get(f"{pipeline_run['url']}/api/pipelines/{store['key']}/runs/{oldest['id']}").json()
    components = {e["component"].split(".")[-1]: e["state"] for e in run["executions"]}
    for component, state in first.items():
        assert components[component] == state, (component, components)


def test_lineage_goes_back_to_the_csv(pipeline_run):
    store = _store(pipeline_run)
    source = pipeline_run["source"]
    run = source.run(store["runs"][-1]["id"])
    model = next(a for a in run["artifacts"].values() if a["type"] == "Model")
    lineage = httpx.get(f"{pipeline_run['url']}/api/pipelines/{store['key']}/artifacts/{model['id']}/lineage").json()
    labels = {node["label"] for node in lineage["nodes"].values()}
    assert {"Trainer", "Transform", "CsvExampleGen"} <= {label.split(".")[-1] for label in labels}
    files = [node["uri"] for node in lineage["nodes"].values() if node["kind"] == "file"]
    assert any(os.path.dirname(pipeline_run["csv"]) in f for f in files), files


@pytest.mark.requires_node
@pytest.mark.skipif(MISSING is not None, reason=f"browser test needs: {MISSING}")
def test_pipeline_pages_in_chromium(pipeline_run, tmp_path):
    store = _store(pipeline_run)
    source = pipeline_run["source"]
    run = source.run(store["runs"][-1]["id"])
    by_type = {}
    for artifact in run["artifacts"].values():
        by_type.setdefault(artifact["type"], artifact)
    plan = {
        "base": pipeline_run["url"], "shots": shots_dir(tmp_path),
        "pages": [
            {"name": "pipelines", "path": "/pipelines"},
            {"name": "run", "path": f"/pipelines/{store['key']}/runs/{run['id']}"},
            {"name": "statistics", "path": f"/pipelines/{store['key']}/artifacts/{by_type['ExampleStatistics']['id']}"},
            {"name": "anomalies", "path": f"/pipelines/{store['key']}/artifacts/{by_type['ExampleAnomalies']['id']}"},
            {"name": "evaluation", "path": f"/pipelines/{store['key']}/artifacts/{by_type['ModelEvaluation']['id']}"},
            {"name": "model-lineage", "path": f"/pipelines/{store['key']}/artifacts/{by_type['Model']['id']}"},
        ],
    }
    pages = {event["name"]: event for event in Driver(plan, tmp_path).events()}
    for page in pages.values():
        assert page["consoleErrors"] == [], (page["name"], page["consoleErrors"])
        assert page["errors"] == [], (page["name"], page["errors"])
    assert pages["run"]["figures"]["dag"]["drawn"] == "plot"
    shown = {row["component"]: row["state"] for row in pages["run"]["cells"]["executions"]}
    assert shown == {e["component"]: e["state"] for e in run["executions"]}
    # Statistics: the page's numbers are the artifact file's.
    uri = by_type["ExampleStatistics"]["uri"]
    with open(os.path.join(uri, "Split-train", "FeatureStats.json")) as handle:
        train = {f["name"]: f for f in json.load(handle)["datasets"][0]["features"]}
    rows = pages["statistics"]["cells"]["statistics"]
    row = next(r for r in rows if r.get("feature") == "bill_length_mm" and r.get("split") == "train")
    assert row["train:bill_length_mm:mean"] == pytest.approx(train["bill_length_mm"]["num_stats"]["mean"])
    assert row["train:bill_length_mm:count"] == train["bill_length_mm"]["num_stats"]["common_stats"]["num_non_missing"]
    assert {r["split"] for r in rows} == {"train", "eval"}
    assert any(f["drawn"] == "plot" for f in pages["statistics"]["figures"].values())
    # Evaluation: candidate metrics per slice, and the blessing.
    with open(os.path.join(by_type["ModelEvaluation"]["uri"], "metrics.json")) as handle:
        candidate = json.load(handle)["candidate"]
    metric_rows = pages["evaluation"]["cells"]["metrics"]
    assert len(metric_rows) == sum(len(v) for v in candidate.values())
    with open(os.path.join(by_type["ModelEvaluation"]["uri"], "validations.json")) as handle:
        ok = json.load(handle)["validation_ok"]
    assert ("BLESSED" in pages["evaluation"]["texts"]["blessing"]) and (
        ("NOT BLESSED" in pages["evaluation"]["texts"]["blessing"]) == (not ok))
    assert pages["model-lineage"]["figures"]["lineage"]["drawn"] == "plot"
    assert "penguins.csv" in pages["model-lineage"]["body"] or "data" in pages["model-lineage"]["body"]
