"""The metadata store's conformance suite: the same tests on SQLite and on a real PostgreSQL."""

import os
import uuid

import pytest

from kerasverse.pipeline.metadata.store import MetadataStore
from kerasverse.pipeline.types import standard_artifacts

pytestmark = pytest.mark.host


def _postgres_url():
    url = os.environ.get("KERASVERSE_TEST_POSTGRES_URL")
    if not url:
        pytest.skip("KERASVERSE_TEST_POSTGRES_URL is not set (CI starts PostgreSQL)")
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):
    if request.param == "sqlite":
        store = MetadataStore(f"sqlite:///{tmp_path}/metadata.sqlite")
    else:
        store = MetadataStore(_postgres_url())
    yield store
    store.dispose()


def test_executions_artifacts_events_and_contexts(store):
    pipeline = f"p-{uuid.uuid4().hex[:8]}"  # PostgreSQL is shared between tests.
    contexts = [("pipeline", pipeline), ("node", f"{pipeline}.Gen")]
    first = store.start_execution("Gen", "CsvExampleGen", cache_key=pipeline, contexts=contexts, inputs={})
    examples = standard_artifacts.Examples("/data/examples/1")
    examples.split_names = '["train", "eval"]'
    examples.set_custom_property("num_rows", 3)
    store.publish_execution(first, {"examples": [examples]}, state="COMPLETE")
    assert examples.id is not None
    second = store.start_execution("Stats", "StatisticsGen", cache_key=pipeline + "s",
                                   contexts=[("pipeline", pipeline)], inputs={"examples": [examples]})
    assert store.get_executions(cache_key=pipeline + "s")[0]["state"] == "RUNNING"
    store.set_execution_state(second, "FAILED", properties={"error": "boom"})
    found = store.get_artifacts_by_type("Examples", context=("pipeline", pipeline))
    assert [a.id for a in found] == [examples.id]
    assert found[0].splits() == ["train", "eval"]
    assert found[0].get_custom_property("num_rows") == 3
    assert found[0].producer_component == ""
    executions = store.get_executions(context=("pipeline", pipeline))
    assert [(e["component_id"], e["state"]) for e in executions] == [("Gen", "COMPLETE"), ("Stats", "FAILED")]
    assert executions[1]["properties"]["error"] == "boom"
    events = store.get_events(artifact_ids=[examples.id])
    assert {(e["execution_id"], e["type"], e["path"]) for e in events} == {
        (first, "OUTPUT", "examples"), (second, "INPUT", "examples")}
    assert store.get_execution_outputs(first)["examples"][0].uri == "/data/examples/1"
    assert store.get_artifacts_by_type("Examples", context=("pipeline", "no-such-pipeline")) == []


def test_a_pipeline_on_postgresql_caches_and_keeps_lineage(tmp_path):
    from kerasverse import pipeline as tfx

    url = _postgres_url()
    data = tmp_path / "data"
    data.mkdir()
    (data / "rows.csv").write_text("a,b\n" + "".join(f"{i},{i % 4}\n" for i in range(40)))
    example_gen = tfx.components.CsvExampleGen(input_base=str(data))
    statistics_gen = tfx.components.StatisticsGen(examples=example_gen.outputs["examples"])
    name = f"pg-{uuid.uuid4().hex[:8]}"
    p = tfx.dsl.Pipeline(pipeline_name=name, pipeline_root=str(tmp_path / "root"), enable_cache=True,
                         components=[example_gen, statistics_gen],
                         metadata_connection_config=tfx.orchestration.metadata.connection_config(url))
    assert set(tfx.orchestration.LocalDagRunner().run(p).values()) == {"COMPLETE"}
    assert set(tfx.orchestration.LocalDagRunner().run(p).values()) == {"CACHED"}
    store = MetadataStore(url)
    statistics = store.get_artifacts_by_type("ExampleStatistics", context=("pipeline", name))
    lineage = tfx.get_lineage(store, artifact_id=statistics[0].id)
    store.dispose()
    assert [step["type"] for step in lineage] == ["ExampleStatistics", "Examples"]
    assert lineage[1]["files"] == [str(data / "rows.csv")]
