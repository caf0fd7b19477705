"""RayDagRunner against a real local Ray (2 CPUs, one start for the module): same results as
LocalDagRunner, shards processed as parallel tasks, independent components at the same time,
errors surface as the component's own."""

import json
import os
import time

import numpy as np
import pandas as pd
import pytest

from kerasverse import pipeline as tfx
from kerasverse.pipeline.components.base_component import BaseComponent
from kerasverse.pipeline.components.base_component import BaseExecutor
from kerasverse.pipeline.components.base_component import ChannelParameter
from kerasverse.pipeline.components.base_component import ComponentSpec
from kerasverse.pipeline.components.base_component import ExecutionParameter
from kerasverse.pipeline.metadata.store import MetadataStore
from kerasverse.pipeline.types import standard_artifacts

pytestmark = pytest.mark.host

MODULE = """
import numpy as np
from kerasverse.pipeline import tft

def preprocessing_fn(inputs):
    return {"x": tft.scale_to_z_score(inputs["x"]), "w": tft.compute_and_apply_vocabulary(inputs["w"])}
"""


@pytest.fixture(scope="module")
def ray_runner():
    ray = pytest.importorskip("ray")
    runner = tfx.orchestration.RayDagRunner(num_cpus=2)
    yield runner
    ray.shutdown()


def _pipeline(root, module_file, frame):
    example_gen = tfx.components.DataFrameExampleGen(data=frame, rows_per_shard=300)
    statistics_gen = tfx.components.StatisticsGen(examples=example_gen.outputs["examples"])
    schema_gen = tfx.components.SchemaGen(statistics=statistics_gen.outputs["statistics"])
    transform = tfx.components.Transform(examples=example_gen.outputs["examples"], schema=schema_gen.outputs["schema"],
                                         module_file=module_file)
    return tfx.dsl.Pipeline(pipeline_name="ray", pipeline_root=root, enable_cache=True,
                            components=[example_gen, statistics_gen, schema_gen, transform])


def _read(result, component, key, name):
    artifact = result.outputs[component][key][0]
    return artifact, os.path.join(artifact.uri, name)


def test_ray_runner_matches_the_local_runner(ray_runner, tmp_path):
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"x": rng.normal(size=2000), "w": rng.choice(["a", "b", "c"], 2000)})
    module = tmp_path / "module.py"
    module.write_text(MODULE)
    on_ray = ray_runner.run(_pipeline(str(tmp_path / "ray"), str(module), frame))
    local = tfx.orchestration.LocalDagRunner().run(_pipeline(str(tmp_path / "local"), str(module), frame))
    assert set(on_ray.values()) == {"COMPLETE"}
    examples = on_ray.outputs["DataFrameExampleGen"]["examples"][0]
    assert len(os.listdir(examples.split_uri("train"))) >= 4  # Several shards to fan out over.
    for result in (on_ray, local):
        statistics = result.outputs["StatisticsGen"]["statistics"][0]
        with open(os.path.join(statistics.split_uri("train"), "FeatureStats.json")) as handle:
            dataset = json.load(handle)["datasets"][0]
        result.train = {f["name"]: f for f in dataset["features"]}
        result.num_examples = dataset["num_examples"]
    assert on_ray.num_examples == local.num_examples
    assert on_ray.train["x"]["num_stats"]["mean"] == pytest.approx(local.train["x"]["num_stats"]["mean"], rel=1e-9)
    assert on_ray.train["w"]["string_stats"]["top_values"] == local.train["w"]["string_stats"]["top_values"]
    pq = pytest.importorskip("pyarrow.parquet")
    for split in ("train", "eval"):
        ours = pq.read_table(on_ray.outputs["Transform"]["transformed_examples"][0].split_uri(split))
        theirs = pq.read_table(local.outputs["Transform"]["transformed_examples"][0].split_uri(split))
        np.testing.assert_allclose(ours["x"].to_numpy(), theirs["x"].to_numpy(), rtol=1e-6)
    again = ray_runner.run(_pipeline(str(tmp_path / "ray"), str(module), frame))
    assert set(again.values()) == {"CACHED"}


def test_ray_runner_surfaces_the_component_error(ray_runner, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    example_gen = tfx.components.CsvExampleGen(input_base=str(empty))
    with pytest.raises(tfx.orchestration.PipelineRunError, match="CsvExampleGen: no input file matches"):
        ray_runner.run(tfx.dsl.Pipeline(pipeline_name="ray", pipeline_root=str(tmp_path / "r"), components=[example_gen]))


class SleepExecutor(BaseExecutor):
    def Do(self, input_dict, output_dict, exec_properties):  # noqa: N802
        time.sleep(exec_properties["seconds"])
        with open(os.path.join(output_dict["out"][0].uri, "pid"), "w") as handle:
            handle.write(str(os.getpid()))


class SleepSpec(ComponentSpec):
    INPUTS = {"first": ChannelParameter(type=standard_artifacts.Examples, optional=True),
              "second": ChannelParameter(type=standard_artifacts.Examples, optional=True)}
    OUTPUTS = {"out": ChannelParameter(type=standard_artifacts.Examples)}
    PARAMETERS = {"seconds": ExecutionParameter(type=float)}


class Sleep(BaseComponent):
    """A component that only waits (its executor runs as a Ray task like any other)."""

    SPEC_CLASS = SleepSpec
    EXECUTOR_CLASS = SleepExecutor

    def __init__(self, seconds, first=None, second=None):
        super().__init__(inputs={"first": first, "second": second}, exec_properties={"seconds": seconds})


def test_independent_components_run_at_the_same_time(ray_runner, tmp_path):
    # source -> (left, right) -> join: left and right only need source.
    source = Sleep(0.0).with_id("source")
    left = Sleep(1.5, first=source.outputs["out"]).with_id("left")
    right = Sleep(1.5, first=source.outputs["out"]).with_id("right")
    join = Sleep(0.0, first=left.outputs["out"], second=right.outputs["out"]).with_id("join")
    root = str(tmp_path / "root")
    p = tfx.dsl.Pipeline(pipeline_name="dag", pipeline_root=root, components=[source, left, right, join])
    result = ray_runner.run(p)
    assert dict(result) == {"source": "COMPLETE", "left": "COMPLETE", "right": "COMPLETE", "join": "COMPLETE"}
    store = MetadataStore(f"sqlite:///{root}/metadata.sqlite")
    executions = {e["component_id"]: e for e in store.get_executions(context=("pipeline", "dag"))}
    outputs = {name: store.get_execution_outputs(e["id"]) for name, e in executions.items()}
    store.dispose()
    for name, output in outputs.items():  # Each published with its one output, in its final folder.
        assert [a.uri for a in output["out"]] == [result.outputs[name]["out"][0].uri]
        assert os.path.isfile(os.path.join(output["out"][0].uri, "pid"))
    span = {name: (e["create_time_since_epoch"], e["last_update_time_since_epoch"]) for name, e in executions.items()}
    assert all(e["state"] == "COMPLETE" for e in executions.values())
    assert span["left"][1] - span["left"][0] >= 1500 and span["right"][1] - span["right"][0] >= 1500
    # Recorded in the store: left and right overlap; each starts after source ended; join after both.
    assert span["left"][0] < span["right"][1] and span["right"][0] < span["left"][1]
    assert span["source"][1] <= min(span["left"][0], span["right"][0])
    assert span["join"][0] >= max(span["left"][1], span["right"][1])
