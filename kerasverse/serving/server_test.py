"""The real server on a free localhost port, serving .keras models on the current backend."""

import json
import os
import shutil

import httpx
import keras
import numpy as np
import pytest

from kerasverse.serving import Client
from kerasverse.serving import ModelConfig
from kerasverse.serving import ModelServer
from kerasverse.serving import ServingClientError
from kerasverse.serving.conftest import images
from kerasverse.serving.conftest import save_version
from kerasverse.serving.conftest import small_model


@pytest.fixture(scope="module")
def server(model_root, tmp_path_factory):
    digits = str(tmp_path_factory.mktemp("server") / "digits")
    shutil.copytree(os.path.join(model_root, "digits", "1"), os.path.join(digits, "1"))
    save_version(digits, 2, small_model(seed=2))
    configs = [
        ModelConfig("digits", digits, version_policy="all", version_labels={"stable": 1, "canary": 2}),
        ModelConfig("pair", os.path.join(model_root, "pair")),
    ]
    with ModelServer(configs, rest_api_port=0, file_system_poll_wait_seconds=0) as running:
        yield running


@pytest.fixture(scope="module")
def http(server):
    with httpx.Client(base_url=server.url, timeout=60) as client:
        yield client


def _oracle(server, version, x):
    model = keras.saving.load_model(os.path.join(server.manager.models["digits"].config.base_path, str(version), "model.keras"))
    return np.asarray(model.predict(x, verbose=0))


def test_status_lists_every_version_as_tf_serving_prints_it(http):
    answer = http.get("/v1/models/digits")
    assert answer.status_code == 200
    assert answer.json() == {
        "model_version_status": [
            {"version": "2", "state": "AVAILABLE", "status": {"error_code": "OK", "error_message": ""}},
            {"version": "1", "state": "AVAILABLE", "status": {"error_code": "OK", "error_message": ""}},
        ]
    }
    assert http.get("/v1/models/digits/versions/1").json()["model_version_status"][0]["version"] == "1"
    assert http.get("/v1/models/digits/labels/canary").json()["model_version_status"][0]["version"] == "2"


def test_metadata_has_the_serving_default_signature(http):
    answer = http.get("/v1/models/digits/versions/1/metadata").json()
    assert answer["model_spec"] == {"name": "digits", "signature_name": "", "version": "1"}
    signature = answer["metadata"]["signature_def"]["signature_def"]["serving_default"]
    assert signature["method_name"] == "tensorflow/serving/predict"
    image = signature["inputs"]["image"]
    assert image["dtype"] == "DT_FLOAT"
    assert [d["size"] for d in image["tensor_shape"]["dim"]] == ["-1", "8", "8", "1"]
    assert [d["size"] for d in signature["outputs"]["probs"]["tensor_shape"]["dim"]] == ["-1", "3"]


def test_predict_row_and_columnar_match_keras(http, server):
    x = images(5)
    rows = http.post("/v1/models/digits/versions/1:predict", json={"instances": x.tolist()})
    assert rows.status_code == 200, rows.text
    np.testing.assert_allclose(rows.json()["predictions"], _oracle(server, 1, x), atol=1e-5)
    columns = http.post("/v1/models/digits/labels/canary:predict", content=json.dumps({"inputs": x.tolist()}))
    np.testing.assert_allclose(columns.json()["outputs"], _oracle(server, 2, x), atol=1e-5)
    latest = http.post("/v1/models/digits:predict", json={"instances": x[:1].tolist()})
    np.testing.assert_allclose(latest.json()["predictions"], _oracle(server, 2, x[:1]), atol=1e-5)


def test_named_inputs_and_several_outputs(http, model_root):
    model = keras.saving.load_model(os.path.join(model_root, "pair", "1", "model.keras"))
    a = np.array([[0.5, -1, 2], [1, 1, 1]], "float32")
    b = np.array([[1, 2], [3, -4]], "int32")
    score, logits = model.predict({"a": a, "b": b}, verbose=0)
    rows = http.post("/v1/models/pair:predict", json={"instances": [{"a": a[i].tolist(), "b": b[i].tolist()} for i in range(2)]})
    predictions = rows.json()["predictions"]
    np.testing.assert_allclose([p["score"] for p in predictions], score, atol=1e-5)
    np.testing.assert_allclose([p["logits"] for p in predictions], logits, atol=1e-5)
    columns = http.post("/v1/models/pair:predict", json={"inputs": {"a": a.tolist(), "b": b.tolist()}}).json()["outputs"]
    np.testing.assert_allclose(columns["logits"], logits, atol=1e-5)
    wrong = http.post("/v1/models/pair:predict", json={"instances": [{"a": [1, 2, 3], "b": [1.5, 2]}]})
    assert wrong.status_code == 400 and "is not of expected type: int32" in wrong.json()["error"]


def test_nan_is_accepted_and_returned_as_tf_serving_writes_it(http):
    x = images(1)
    x[0, 0, 0, 0] = np.nan
    body = json.dumps({"instances": x.tolist()})
    assert "NaN" in body
    answer = http.post("/v1/models/digits/versions/1:predict", content=body)
    assert answer.status_code == 200
    assert answer.text.count("NaN") == 3  # A NaN pixel makes every probability NaN.


@pytest.mark.parametrize(
    "method, path, body, status, message",
    [
        ("GET", "/v1/models/nope", None, 404, "Could not find any versions of model nope"),
        ("GET", "/v1/models/digits/versions/7", None, 404, "Could not find version 7 of model digits"),
        ("POST", "/v1/models/nope:predict", {"instances": [1]}, 404, r"Servable not found for request: Latest\(nope\)"),
        ("POST", "/v1/models/digits/versions/9:predict", {"instances": [1]}, 404, r"Specific\(digits, 9\)"),
        ("POST", "/v1/models/digits/labels/gone:predict", {"instances": [1]}, 400, "Unrecognized servable version label: gone"),
        ("GET", "/v1/models", None, 400, "Missing model name in request."),
        ("GET", "/v1/models/digits:predict", None, 400, "Malformed request: GET /v1/models/digits:predict"),
        ("POST", "/v1/models/digits:explain", {}, 400, "Malformed request"),
        ("POST", "/v1/models/digits:predict", {"instances": [[1, 2]]}, 400, r"expects shape \[-1, 8, 8, 1\]"),
        ("GET", "/nothing/here", None, 404, "Unknown route"),
    ],
)
def test_errors_are_tf_serving_errors(http, method, path, body, status, message):
    answer = http.request(method, path, json=body)
    assert answer.status_code == status
    assert set(answer.json()) == {"error"}
    assert pytest.importorskip("re").search(message, answer.json()["error"])


def test_kserve_v2_routes(http, server):
    assert http.get("/v2/health/live").json() == {"live": True}
    assert http.get("/v2/health/ready").json() == {"ready": True}
    assert http.get("/v2/models/digits/versions/1/ready").json() == {"name": "digits", "ready": True}
    metadata = http.get("/v2/models/digits").json()
    assert metadata["inputs"] == [{"name": "image", "datatype": "FP32", "shape": [-1, 8, 8, 1]}]
    assert metadata["versions"] == ["2", "1"] and metadata["platform"].startswith("keras-")
    x = images(3)
    request = {"id": "r1", "inputs": [{"name": "image", "shape": [3, 8, 8, 1], "datatype": "FP32", "data": x.reshape(-1).tolist()}]}
    answer = http.post("/v2/models/digits/versions/1/infer", json=request).json()
    assert answer["model_name"] == "digits" and answer["model_version"] == "1" and answer["id"] == "r1"
    (output,) = answer["outputs"]
    assert output["name"] == "probs" and output["shape"] == [3, 3] and output["datatype"] == "FP32"
    np.testing.assert_allclose(np.reshape(output["data"], (3, 3)), _oracle(server, 1, x), atol=1e-5)
    bad = http.post("/v2/models/digits/infer", json={"inputs": [{"name": "image", "shape": [2, 8, 8, 1], "datatype": "FP32", "data": [1.0]}]})
    assert bad.status_code == 400 and "needs 128 values" in bad.json()["error"]


def test_client_and_metrics(server):
    client = Client(server.url)
    x = images(2)
    np.testing.assert_allclose(client.predict("digits", x, version=1), _oracle(server, 1, x), atol=1e-5)
    np.testing.assert_allclose(client.predict("digits", x, label="stable", columnar=True), _oracle(server, 1, x), atol=1e-5)
    assert client.status("digits", version=2)[0]["state"] == "AVAILABLE"
    with pytest.raises(ServingClientError, match="Could not find any versions of model nope") as info:
        client.status("nope")
    assert info.value.status == 404
    text = httpx.get(server.url + "/monitoring/prometheus/metrics").text
    assert ':tensorflow:serving:request_count{model_name="digits",version="1",API="predict",entrypoint="REST",status="OK"}' in text
    assert ":tensorflow:serving:request_latency_bucket{" in text
    assert 'kerasverse_serving_model_runtime{model_name="digits",version="1",runtime="keras-' in text


def test_classify_and_regress(http):
    examples = [{"image": images(1)[0].tolist()}]
    classify = http.post("/v1/models/digits/versions/1:classify", json={"examples": examples})
    assert classify.status_code == 200, classify.text
    (result,) = classify.json()["results"]
    assert [label for label, _ in result] == ["0", "1", "2"]
    assert abs(sum(score for _, score in result) - 1) < 1e-5
    regress = http.post("/v1/models/digits/versions/1:regress", json={"examples": examples})
    assert regress.status_code == 400 and "one output value per example" in regress.json()["error"]
