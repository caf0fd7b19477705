"""A pipeline's version folder (model.keras + transform/) served with raw rows, per CONTRACT-pipeline-serving."""

import os
import textwrap

import httpx
import keras
import numpy as np
import pytest

from kerasverse.serving import ModelServer

pipeline = pytest.importorskip("kerasverse.pipeline", reason="kerasverse.pipeline is not importable yet")
transform_output = pytest.importorskip("kerasverse.pipeline.tft.transform_output", reason="kerasverse.pipeline.tft is not importable yet")

PREPROCESSING = textwrap.dedent(
    """
    from kerasverse.pipeline import tft

    def preprocessing_fn(inputs):
        return {
            "bill_length_mm": tft.scale_to_z_score(inputs["bill_length_mm"]),
            "island": tft.compute_and_apply_vocabulary(inputs["island"]),
        }
    """
)
ROWS = [
    {"island": "Biscoe", "bill_length_mm": 39.1},
    {"island": "Dream", "bill_length_mm": 45.5},
    {"island": "Torgersen", "bill_length_mm": 50.0},
    {"island": "Biscoe", "bill_length_mm": 41.0},
]


@pytest.fixture(scope="module")
def version_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("pipeline")
    module_file = root / "preprocessing.py"
    module_file.write_text(PREPROCESSING)
    version = root / "penguins" / "1733400000"
    version.mkdir(parents=True)
    raw_features = {"island": {"dtype": "string", "shape": []}, "bill_length_mm": {"dtype": "float32", "shape": []}}
    columns = {"island": np.array([r["island"] for r in ROWS], dtype=object),
               "bill_length_mm": np.array([r["bill_length_mm"] for r in ROWS], "float32")}
    namespace = {}
    exec(PREPROCESSING, namespace)  # noqa: S102 -- the test's own module text
    fn = namespace["preprocessing_fn"]
    values, names = transform_output.analyze(fn, lambda: [columns])
    outputs = transform_output.apply_transform(fn, values, columns)
    transform_output.save_transform(str(version), str(module_file), "preprocessing_fn", values, names,
                                    raw_features, transform_output.feature_spec(outputs))
    keras.utils.set_random_seed(0)
    inputs = {"bill_length_mm": keras.Input((), name="bill_length_mm"), "island": keras.Input((), name="island", dtype="int64")}
    island = keras.layers.Embedding(8, 2)(inputs["island"])
    x = keras.layers.Concatenate()([keras.layers.Reshape((1,))(inputs["bill_length_mm"]), island])
    model = keras.Model(inputs, keras.layers.Dense(3, activation="softmax", name="species")(x))
    model.save(str(version / "model.keras"))
    return str(version)


def test_raw_rows_are_transformed_then_predicted(version_dir):
    oracle = pipeline.load_serving_model(version_dir).predict(ROWS)
    base = os.path.dirname(version_dir)
    with ModelServer([("penguins", base)], rest_api_port=0, file_system_poll_wait_seconds=0) as server, \
            httpx.Client(base_url=server.url, timeout=60) as http:
        metadata = http.get("/v1/models/penguins/metadata").json()
        inputs = metadata["metadata"]["signature_def"]["signature_def"]["serving_default"]["inputs"]
        assert inputs["island"]["dtype"] == "DT_STRING" and inputs["bill_length_mm"]["dtype"] == "DT_FLOAT"
        assert metadata["metadata"]["runtime"].startswith("pipeline+keras-")
        answer = http.post("/v1/models/penguins:predict", json={"instances": ROWS})
        assert answer.status_code == 200, answer.text
        np.testing.assert_allclose(answer.json()["predictions"], oracle, atol=1e-5)
        columnar = http.post("/v1/models/penguins:predict", json={"inputs": {
            "island": [r["island"] for r in ROWS], "bill_length_mm": [r["bill_length_mm"] for r in ROWS]}})
        np.testing.assert_allclose(columnar.json()["outputs"], oracle, atol=1e-5)
        wrong = http.post("/v1/models/penguins:predict", json={"instances": [{"island": 3, "bill_length_mm": 1.0}]})
        assert wrong.status_code == 400 and "is not of expected type: string" in wrong.json()["error"]
