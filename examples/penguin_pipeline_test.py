"""The penguin pipeline end to end (small steps): cold, cached, new data; serving and lineage."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

sys.path.insert(0, os.path.dirname(__file__))

import penguin_pipeline  # noqa: E402

from kerasverse import pipeline as tfx  # noqa: E402
from kerasverse.pipeline.metadata.store import MetadataStore  # noqa: E402

UPSTREAM = ["CsvExampleGen", "StatisticsGen", "SchemaGen", "ExampleValidator", "Transform", "Tuner", "Trainer"]


@pytest.fixture(scope="module")
def summary(tmp_path_factory):
    workdir = str(tmp_path_factory.mktemp("penguin"))
    result = penguin_pipeline.main(workdir, train_steps=60, tuner_steps=3, max_trials=1, verbose=False)
    result["workdir"] = workdir
    return result


def test_cold_then_all_cached_then_new_data(summary):
    cold, cached, new = summary["runs"]
    assert set(cold.values()) == {"COMPLETE"}
    assert set(cached.values()) == {"CACHED"}, cached
    assert all(new[name] == "COMPLETE" for name in UPSTREAM + ["Evaluator"]), new
    store = MetadataStore(summary["metadata"])
    blessings = store.get_artifacts_by_type("ModelBlessing")
    store.dispose()
    assert len(blessings) == 2
    assert blessings[0].get_custom_property("blessed") == 1
    # The new model was compared with the first (blessed) one, and pushed only if not worse.
    assert blessings[1].get_custom_property("baseline_model_id") == blessings[0].get_custom_property("current_model_id")
    metrics = json.load(open(os.path.join(os.path.dirname(blessings[1].uri).replace("blessing", "evaluation"),
                                          os.path.basename(blessings[1].uri), "metrics.json")))
    candidate = metrics["candidate"]["Overall"]["sparse_categorical_accuracy"]
    baseline = metrics["baseline"]["Overall"]["sparse_categorical_accuracy"]
    assert blessings[1].get_custom_property("blessed") == int(candidate >= 0.6 and candidate - baseline > -1e-10)
    expected = "COMPLETE" if blessings[1].get_custom_property("blessed") else "SKIPPED"
    assert new["Pusher"] == expected
    assert len(summary["pushed_versions"]) == (2 if expected == "COMPLETE" else 1)
    assert "island:Biscoe" in metrics["candidate"]  # Per-slice metrics.


def test_pushed_folder_serves_raw_rows(summary):
    serving = os.path.join(summary["workdir"], "serving")
    assert sorted(os.listdir(serving)) == summary["pushed_versions"]  # No .tmp-* left.
    version_dir = os.path.join(serving, summary["pushed_versions"][-1])
    assert os.path.isfile(os.path.join(version_dir, "model.keras"))
    assert os.path.isfile(os.path.join(version_dir, "transform", "transform.json"))
    model = tfx.load_serving_model(version_dir)
    assert model.label_key == "species"
    assert "species" not in model.input_features
    assert model.input_features["island"] == {"dtype": "string", "shape": []}
    assert model.input_features["bill_length_mm"] == {"dtype": "float32", "shape": []}
    import pandas as pd

    frame = pd.read_csv(penguin_pipeline.penguins_csv())
    rows = frame.drop(columns=["species"]).head(40).replace({np.nan: None}).to_dict("records")
    by_rows = model.predict(rows)
    by_columns = model.predict({key: [row[key] for row in rows] for key in rows[0]})
    np.testing.assert_allclose(by_rows, by_columns, rtol=1e-6)
    assert by_rows.shape == (40, 3)
    np.testing.assert_allclose(by_rows.sum(axis=1), 1.0, rtol=1e-5)
    features = model.transform_features(rows)
    assert set(features) == set(model.model_input_names)
    # The served model is right on most of the bundled penguins (an independent check of training + transform).
    species = model.transform.vocabulary_by_name("species")
    truth = frame["species"].head(40).to_numpy()
    assert np.mean(np.array(species)[by_rows.argmax(axis=1)] == truth) > 0.6


def test_lineage_from_pushed_model_back_to_the_csv(summary):
    lineage = summary["lineage"]
    assert lineage[0]["type"] == "PushedModel"
    # The pushed model's data, and (through the Evaluator's baseline) the data of the model it replaced.
    sources = [step for step in lineage if step["producer_component"] == "CsvExampleGen"]
    assert sources and all(step["execution"]["component_id"] == "CsvExampleGen" for step in sources)
    assert any(path.endswith("penguins.csv") for step in sources for path in step["files"])
    kinds = {step["type"] for step in lineage}
    assert {"Model", "TransformGraph", "Schema", "ExampleStatistics", "HyperParameters", "Examples"} <= kinds
    cli = subprocess.run(
        [sys.executable, "-m", "kerasverse.cli.main", "pipeline", "lineage", summary["workdir"]],
        capture_output=True, text=True, env={**os.environ, "KERAS_BACKEND": os.environ.get("KERAS_BACKEND", "jax")})
    assert cli.returncode == 0, cli.stderr
    assert "PushedModel" in cli.stdout and "penguins.csv" in cli.stdout


def test_infra_validator_serves_the_candidate_with_kerasverse_serve(summary, tmp_path):
    pytest.importorskip("kerasverse.serving")
    from kerasverse.pipeline.components.infra_validator import InfraValidatorExecutor
    from kerasverse.pipeline.types import standard_artifacts

    store = MetadataStore(summary["metadata"])
    model = store.get_artifacts_by_type("Model")[-1]
    examples = [a for a in store.get_artifacts_by_type("Examples") if a.producer_component == "CsvExampleGen"][-1]
    store.dispose()
    blessing = standard_artifacts.InfraBlessing(str(tmp_path))
    InfraValidatorExecutor().Do({"model": [model], "examples": [examples]}, {"blessing": [blessing]},
                                {"request_spec": tfx.proto.RequestSpec(num_examples=2)})
    report = json.load(open(tmp_path / "validation.json"))
    assert blessing.get_custom_property("blessed") == 1, (report, (tmp_path / "server.log").read_text()[-2000:])
    assert [check["check"] for check in report["checks"]] == ["load", "predict", "predict"]
    assert os.path.isfile(tmp_path / "INFRA_BLESSED")


def test_the_example_row_is_served_over_rest_as_tf_serving_would(summary):
    # What `make demo`'s serve stage does: the pushed folder behind the REST API, the
    # example's raw row (integer columns as JSON integers: TF Serving refuses 220.0 for int64).
    from kerasverse.serving import Client
    from kerasverse.serving import ModelServer

    serving = os.path.join(summary["workdir"], "serving")
    with ModelServer([("penguin", serving)], rest_api_port=0, file_system_poll_wait_seconds=0) as server:
        prediction = Client(server.url).predict("penguin", [summary["prediction"]["row"]])
    np.testing.assert_allclose(prediction[0], summary["prediction"]["probabilities"], atol=1e-3)
