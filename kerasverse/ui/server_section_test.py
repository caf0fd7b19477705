"""The Models view against a real `kerasverse serve` (ModelServer) on localhost."""

import os

import httpx
import keras
import numpy as np
import pytest

from kerasverse.ui import create_app
from kerasverse.ui.launcher import BackgroundServer
from kerasverse.ui.launcher import default_sections
from kerasverse.ui.server_section import model_metrics
from kerasverse.ui.server_section import parse_prometheus

pytestmark = pytest.mark.host


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    from kerasverse.serving import Client
    from kerasverse.serving import ModelServer

    base = tmp_path_factory.mktemp("models") / "tiny"
    os.makedirs(base / "1")
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    model.save(base / "1" / "model.keras")
    server = ModelServer([("tiny", str(base))], rest_api_port=0, file_system_poll_wait_seconds=0).start()
    client = Client(server.url)
    for _ in range(3):
        client.predict("tiny", np.ones((2, 4), "float32"))
    ui = BackgroundServer(create_app([str(tmp_path_factory.mktemp("empty"))], [server.url],
                                     extra_sections=default_sections()))
    yield {"server": server, "ui": ui}
    ui.stop()
    server.stop()


def test_models_view_reports_what_the_server_reports(served):
    servers = httpx.get(served["ui"].url + "/api/models").json()["servers"]
    assert len(servers) == 1 and servers[0]["error"] is None
    (model,) = servers[0]["models"]
    assert model["name"] == "tiny"
    assert model["requests"] == 3 and model["errors"] == 0
    assert model["mean_latency_ms"] is not None and model["mean_latency_ms"] > 0
    status = httpx.get(served["server"].url + "/v1/models/tiny").json()
    assert model["versions"] == status["model_version_status"]
    assert model["versions"][0]["state"] == "AVAILABLE"
    page = httpx.get(served["ui"].url + "/models").text
    assert "tiny" in page and "AVAILABLE" in page


def test_unreachable_server_is_a_message(tmp_path):
    ui = BackgroundServer(create_app([str(tmp_path)], ["http://127.0.0.1:9"], extra_sections=default_sections()))
    try:
        page = httpx.get(ui.url + "/models")
        assert page.status_code == 200
        assert "Cannot read http://127.0.0.1:9/monitoring/prometheus/metrics" in page.text
        assert "Traceback" not in page.text
    finally:
        ui.stop()


def test_prometheus_parsing_reads_tf_serving_metric_names():
    text = """# TYPE :tensorflow:serving:request_count counter
:tensorflow:serving:request_count{model_name="m",version="2",API="predict",status="OK"} 5
:tensorflow:serving:request_count{model_name="m",version="2",API="predict",status="INVALID_ARGUMENT"} 2
:tensorflow:serving:request_latency_sum{model_name="m",version="2",API="predict"} 5000
:tensorflow:serving:request_latency_count{model_name="m",version="2",API="predict"} 5
kerasverse_serving_model_runtime{model_name="m",version="2",runtime="onnx"} 1
"""
    metrics = model_metrics(parse_prometheus(text))
    assert metrics["m"]["requests"] == 7 and metrics["m"]["errors"] == 2
    assert metrics["m"]["mean_latency_ms"] == pytest.approx(1.0)  # 5000 us over 5 requests.
    assert metrics["m"]["runtimes"] == {"2": "onnx"}


def test_models_page_in_chromium(served, tmp_path):
    from kerasverse.ui.browser_test import MISSING
    from kerasverse.ui.browser_test import Driver
    from kerasverse.ui.browser_test import shots_dir

    if MISSING is not None:
        pytest.skip(f"browser test needs: {MISSING}")
    plan = {"base": served["ui"].url, "shots": shots_dir(tmp_path),
            "pages": [{"name": "models", "path": "/models"}]}
    (page,) = list(Driver(plan, tmp_path).events())
    assert page["consoleErrors"] == [] and page["errors"] == []
    (row,) = page["cells"]["models"]
    assert row["model"] == "tiny" and row["requests"] >= 3
    assert "1: AVAILABLE" in row["versions"]
