import os
import signal
import subprocess
import sys
import textwrap

import pytest

from kerasverse import pipeline as tfx
from kerasverse.pipeline.metadata.store import MetadataStore

pytestmark = pytest.mark.host

CSV = "a,b,label\n" + "".join(f"{i},{'xy'[i % 2]},{i % 3}\n" for i in range(60))


@pytest.fixture
def data_dir(tmp_path):
    path = tmp_path / "data"
    path.mkdir()
    (path / "data.csv").write_text(CSV)
    return str(path)


def _pipeline(data_dir, root, components=None, **kwargs):
    example_gen = tfx.components.CsvExampleGen(input_base=data_dir)
    statistics_gen = tfx.components.StatisticsGen(examples=example_gen.outputs["examples"])
    schema_gen = tfx.components.SchemaGen(statistics=statistics_gen.outputs["statistics"])
    return tfx.dsl.Pipeline(pipeline_name="t", pipeline_root=root,
                            components=components or [example_gen, statistics_gen, schema_gen],
                            enable_cache=True, **kwargs)


def test_split_cache_and_rerun_on_new_data(data_dir, tmp_path):
    p = _pipeline(data_dir, str(tmp_path / "root"))
    first = tfx.orchestration.LocalDagRunner().run(p)
    assert dict(first) == {"CsvExampleGen": "COMPLETE", "StatisticsGen": "COMPLETE", "SchemaGen": "COMPLETE"}
    examples = first.outputs["CsvExampleGen"]["examples"][0]
    rows = {split: len(tfx.components.example_gen._pyarrow().parquet.read_table(examples.split_uri(split)))
            for split in ("train", "eval")}
    assert rows["train"] + rows["eval"] == 60 and 30 <= rows["train"] <= 50  # 2:1 by hash.
    second = tfx.orchestration.LocalDagRunner().run(p)
    assert set(second.values()) == {"CACHED"}
    assert second.outputs["SchemaGen"]["schema"][0].id == first.outputs["SchemaGen"]["schema"][0].id
    # Same data in another pipeline root splits the same way (the hash is deterministic).
    other = tfx.orchestration.LocalDagRunner().run(_pipeline(data_dir, str(tmp_path / "root2")))
    other_examples = other.outputs["CsvExampleGen"]["examples"][0]
    pq = tfx.components.example_gen._pyarrow().parquet
    assert pq.read_table(other_examples.split_uri("eval")).equals(pq.read_table(examples.split_uri("eval")))
    with open(os.path.join(data_dir, "more.csv"), "w") as handle:
        handle.write(CSV)
    third = tfx.orchestration.LocalDagRunner().run(p)
    assert set(third.values()) == {"COMPLETE"}


def test_pipelines_sharing_a_store_never_reuse_each_others_outputs(data_dir, tmp_path):
    store = tfx.orchestration.metadata.sqlite_metadata_connection_config(str(tmp_path / "shared.sqlite"))
    first = _pipeline(data_dir, str(tmp_path / "a"), metadata_connection_config=store)
    assert set(tfx.orchestration.LocalDagRunner().run(first).values()) == {"COMPLETE"}
    # Same components and data, another pipeline: runs its own (TFX scopes its cache
    # to the pipeline), then is cached against itself.
    second = _pipeline(data_dir, str(tmp_path / "b"), metadata_connection_config=store)
    second.pipeline_name = "u"
    assert set(tfx.orchestration.LocalDagRunner().run(second).values()) == {"COMPLETE"}
    assert set(tfx.orchestration.LocalDagRunner().run(second).values()) == {"CACHED"}


def test_wrong_wiring_fails_when_the_pipeline_is_built(data_dir):
    example_gen = tfx.components.CsvExampleGen(input_base=data_dir)
    with pytest.raises(TypeError, match=r"SchemaGen: input `statistics` expects a channel of ExampleStatistics "
                                        r"artifacts. Received: statistics=CsvExampleGen.outputs\['examples'\]"):
        tfx.components.SchemaGen(statistics=example_gen.outputs["examples"])
    statistics_gen = tfx.components.StatisticsGen(examples=example_gen.outputs["examples"])
    with pytest.raises(ValueError, match="CsvExampleGen is not in `components`"):
        tfx.dsl.Pipeline(pipeline_name="t", pipeline_root="/tmp/x", components=[statistics_gen])
    with pytest.raises(ValueError, match="appear twice"):
        tfx.dsl.Pipeline(pipeline_name="t", pipeline_root="/tmp/x", components=[
            example_gen, tfx.components.CsvExampleGen(input_base=data_dir)])


def test_bad_input_errors_name_component_file_and_fix(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(tfx.orchestration.PipelineRunError, match="CsvExampleGen: no input file matches"):
        tfx.orchestration.LocalDagRunner().run(_pipeline(str(empty), str(tmp_path / "r1")))
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "rows.csv").write_text("a,b\n1,2\n3,4,5\n")
    with pytest.raises(tfx.orchestration.PipelineRunError,
                       match=r"CsvExampleGen: cannot read .*rows.csv: .*Expected 2 columns, got 3.*Fix: correct"):
        tfx.orchestration.LocalDagRunner().run(_pipeline(str(bad), str(tmp_path / "r2")))
    result = tfx.orchestration.LocalDagRunner(raise_on_failure=False).run(_pipeline(str(bad), str(tmp_path / "r3")))
    assert dict(result) == {"CsvExampleGen": "FAILED", "StatisticsGen": "SKIPPED", "SchemaGen": "SKIPPED"}
    store = MetadataStore(f"sqlite:///{tmp_path}/r3/metadata.sqlite")
    assert store.get_artifacts_by_type("Examples") == []  # Nothing registered for a failed run.
    assert not [d for d in os.listdir(tmp_path / "r3" / "CsvExampleGen" / "examples")]
    store.dispose()


KILLER = textwrap.dedent('''
    import os, signal, sys
    from kerasverse import pipeline as tfx
    from kerasverse.pipeline.components.statistics_gen import StatisticsGenExecutor

    class KilledExecutor(StatisticsGenExecutor):
        def Do(self, input_dict, output_dict, exec_properties):
            super().Do(input_dict, output_dict, exec_properties)   # Writes its files...
            os.kill(os.getpid(), signal.SIGKILL)                   # ...and dies before registering.

    if sys.argv[3] == "kill":
        tfx.components.StatisticsGen.EXECUTOR_CLASS = KilledExecutor
    example_gen = tfx.components.CsvExampleGen(input_base=sys.argv[1])
    statistics_gen = tfx.components.StatisticsGen(examples=example_gen.outputs["examples"])
    p = tfx.dsl.Pipeline(pipeline_name="t", pipeline_root=sys.argv[2], components=[example_gen, statistics_gen],
                         enable_cache=True)
    print(dict(tfx.orchestration.LocalDagRunner().run(p)))
''')


def test_sigkill_leaves_nothing_half_registered_and_the_rerun_reuses_what_completed(data_dir, tmp_path):
    script = tmp_path / "killer.py"
    script.write_text(KILLER)
    root = str(tmp_path / "root")
    env = {**os.environ, "KERAS_BACKEND": os.environ.get("KERAS_BACKEND", "jax")}
    killed = subprocess.run([sys.executable, str(script), data_dir, root, "kill"], env=env, capture_output=True)
    assert killed.returncode == -signal.SIGKILL
    store = MetadataStore(f"sqlite:///{root}/metadata.sqlite")
    assert len(store.get_artifacts_by_type("Examples")) == 1
    assert store.get_artifacts_by_type("ExampleStatistics") == []
    assert [e["state"] for e in store.get_executions(component_id="StatisticsGen")] == ["RUNNING"]
    rerun = subprocess.run([sys.executable, str(script), data_dir, root, "ok"], env=env, capture_output=True, text=True)
    assert rerun.returncode == 0, rerun.stderr
    assert "{'CsvExampleGen': 'CACHED', 'StatisticsGen': 'COMPLETE'}" in rerun.stdout
    statistics = store.get_artifacts_by_type("ExampleStatistics")
    assert len(statistics) == 1 and os.path.isfile(os.path.join(statistics[0].uri, "Split-train", "FeatureStats.json"))
    leftovers = [name for name in os.listdir(os.path.join(root, "StatisticsGen", "statistics")) if name.startswith(".")]
    assert leftovers == []
    store.dispose()


def test_import_and_dataframe_example_gens_and_import_schema(tmp_path, data_dir):
    import pandas as pd

    frame = pd.read_csv(os.path.join(data_dir, "data.csv"))
    parquet_dir = tmp_path / "parquet"
    parquet_dir.mkdir()
    frame.to_parquet(parquet_dir / "part.parquet")
    schema_file = tmp_path / "schema.yaml"
    schema_file.write_text("feature:\n  - {name: a, type: INT, presence: {min_fraction: 1.0}}\n"
                           "  - {name: b, type: BYTES, domain: b}\n  - {name: label, type: INT}\n"
                           "string_domain:\n  - {name: b, value: [x]}\n")
    for example_gen in (tfx.components.ImportExampleGen(input_base=str(parquet_dir)),
                        tfx.components.DataFrameExampleGen(data=frame)):
        statistics_gen = tfx.components.StatisticsGen(examples=example_gen.outputs["examples"])
        schema_gen = tfx.components.ImportSchemaGen(schema_file=str(schema_file))
        validator = tfx.components.ExampleValidator(statistics=statistics_gen.outputs["statistics"],
                                                    schema=schema_gen.outputs["schema"])
        root = str(tmp_path / type(example_gen).__name__)
        result = tfx.orchestration.LocalDagRunner().run(tfx.dsl.Pipeline(
            pipeline_name="t", pipeline_root=root, components=[example_gen, statistics_gen, schema_gen, validator]))
        anomalies = result.outputs["ExampleValidator"]["anomalies"][0]
        found = anomalies.get_custom_property("anomalies_found")
        assert '"b": ["ENUM_TYPE_UNEXPECTED_STRING_VALUES"]' in found  # 'y' is not in the edited domain.
        failing = tfx.components.ExampleValidator(statistics=statistics_gen.outputs["statistics"],
                                                  schema=schema_gen.outputs["schema"], fail_on_anomalies=True)
        with pytest.raises(tfx.orchestration.PipelineRunError, match="ExampleValidator: anomalies found"):
            tfx.orchestration.LocalDagRunner().run(tfx.dsl.Pipeline(
                pipeline_name="t", pipeline_root=root, components=[example_gen, statistics_gen, schema_gen, failing]))


def test_module_file_without_run_fn_and_a_schema_that_no_longer_matches(tmp_path, data_dir):
    example_gen = tfx.components.CsvExampleGen(input_base=data_dir)
    module = tmp_path / "module.py"
    module.write_text("def preprocessing_fn(inputs):\n    return dict(inputs)\n")
    trainer = tfx.components.Trainer(module_file=str(module), examples=example_gen.outputs["examples"])
    with pytest.raises(tfx.orchestration.PipelineRunError,
                       match=r"Trainer: module_file .*module.py does not define `run_fn`. Fix: add `def run_fn"):
        tfx.orchestration.LocalDagRunner().run(tfx.dsl.Pipeline(
            pipeline_name="t", pipeline_root=str(tmp_path / "r1"), components=[example_gen, trainer]))
    schema_file = tmp_path / "schema.json"
    schema_file.write_text('{"feature": [{"name": "a", "type": "INT"}, {"name": "renamed", "type": "FLOAT"}]}')
    schema_gen = tfx.components.ImportSchemaGen(schema_file=str(schema_file))
    transform = tfx.components.Transform(examples=example_gen.outputs["examples"], schema=schema_gen.outputs["schema"],
                                         module_file=str(module))
    with pytest.raises(tfx.orchestration.PipelineRunError,
                       match=r"Transform: .* lacks the schema's features \['renamed'\].*no longer matches the data"):
        tfx.orchestration.LocalDagRunner().run(tfx.dsl.Pipeline(
            pipeline_name="t", pipeline_root=str(tmp_path / "r2"), components=[example_gen, schema_gen, transform]))


def test_csv_column_that_turns_float_after_the_first_block(tmp_path):
    data = tmp_path / "late"
    data.mkdir()
    (data / "rows.csv").write_text("a,b\n" + "".join(f"{i},{i % 3}\n" for i in range(700000)) + "7.5,1\n")  # > one 4 MB block.
    result = tfx.orchestration.LocalDagRunner().run(_pipeline(str(data), str(tmp_path / "root")))
    statistics = result.outputs["StatisticsGen"]["statistics"][0]
    with open(os.path.join(statistics.split_uri("train"), "FeatureStats.json")) as handle:
        features = {f["name"]: f for f in __import__("json").load(handle)["datasets"][0]["features"]}
    assert features["a"]["type"] == "FLOAT"  # Integer columns are re-read as float.
    examples = result.outputs["CsvExampleGen"]["examples"][0]
    assert sum(json_rows for json_rows in __import__("json").loads(examples.get_custom_property("num_rows")).values()) == 700001


def test_resolver_state_is_the_same_in_the_report_and_in_the_store(data_dir, tmp_path):
    def resolver():
        return tfx.dsl.Resolver(strategy_class=tfx.dsl.LatestArtifactStrategy,
                                examples=tfx.dsl.Channel(type=tfx.types.standard_artifacts.Examples)).with_id("latest")

    root, other = tmp_path / "root", tmp_path / "other"

    def recorded(path):
        store = MetadataStore(f"sqlite:///{path}/metadata.sqlite")
        states = [e["state"] for e in store.get_executions(component_id="latest")]
        store.dispose()
        return states

    # Listed after the ExampleGen: resolves this run's examples (new, then the same again).
    after = [tfx.components.CsvExampleGen(input_base=data_dir), resolver()]
    states = [tfx.orchestration.LocalDagRunner().run(tfx.dsl.Pipeline(
        pipeline_name="t", pipeline_root=str(root), components=after, enable_cache=True))["latest"] for _ in range(2)]
    assert states == ["COMPLETE", "CACHED"] and recorded(root) == states
    # Listed first in another pipeline: nothing to resolve, then the examples that the
    # second run only reused from the cache -- no new input, so CACHED in both places.
    first = [resolver(), tfx.components.CsvExampleGen(input_base=data_dir)]
    again = [tfx.orchestration.LocalDagRunner().run(tfx.dsl.Pipeline(
        pipeline_name="u", pipeline_root=str(other), components=first, enable_cache=True)) for _ in range(2)]
    assert [run["latest"] for run in again] == ["COMPLETE", "CACHED"]
    assert again[1]["CsvExampleGen"] == "CACHED" and again[1].outputs["latest"]["examples"][0].id is not None
    assert recorded(other) == ["COMPLETE", "CACHED"]
