"""`--runtime=auto`: a .keras model is served through ONNX Runtime when that verifies and is faster on the probe batch."""

import shutil

import httpx
import keras
import numpy as np
import pytest

from kerasverse.export import onnx
from kerasverse.serving import LoadOptions
from kerasverse.serving import ModelServer
from kerasverse.serving import load_version
from kerasverse.serving import onnx_conversion
from kerasverse.serving.conftest import images
from kerasverse.serving.conftest import save_version
from kerasverse.serving.conftest import small_model
from kerasverse.serving.onnx_runtime import OnnxRuntime


def _pin_timing(monkeypatch, onnx_faster: bool) -> list:
    """The choice follows the probe-batch timing; pin it, so both outcomes are checked without timing asserts.

    Returns the runtimes timed: timing happens only once the export has verified against Keras.
    """
    timed = []

    def median_seconds(runtime, features, repeat=5):
        timed.append(runtime.name)
        return 0.0 if isinstance(runtime, OnnxRuntime) == onnx_faster else 1.0

    monkeypatch.setattr(onnx_conversion, "_median_seconds", median_seconds)
    return timed


# Slow on JAX only: the ONNX export runs under torch in a child process (~10 s alone, ~40 s on a loaded
# 2-core machine); torch exports in-process (~2 s). One export serves both outcomes.
@pytest.mark.slow
def test_auto_runtime_is_reported_and_predicts_like_keras(tmp_path, monkeypatch):
    model = small_model(seed=3)
    x = images(4, seed=1)
    expected = np.asarray(model.predict(x, verbose=0))
    save_version(str(tmp_path / "digits"), 1, model)
    timed = _pin_timing(monkeypatch, onnx_faster=True)
    with ModelServer([("digits", str(tmp_path / "digits"))], rest_api_port=0, file_system_poll_wait_seconds=0,
                     load_options=LoadOptions(runtime="auto")) as server, httpx.Client(base_url=server.url, timeout=60) as http:
        assert http.get("/v1/models/digits/metadata").json()["metadata"]["runtime"] == "onnxruntime"
        assert http.get("/v2/models/digits").json()["platform"] == "onnxruntime"
        assert 'kerasverse_serving_model_runtime{model_name="digits",version="1",runtime="onnxruntime"} 1' in http.get(
            "/monitoring/prometheus/metrics").text
        assert timed == [f"keras-{keras.backend.backend()}", "onnxruntime"]
        answer = http.post("/v1/models/digits:predict", json={"instances": x.tolist()})
        assert answer.status_code == 200, answer.text
        np.testing.assert_allclose(answer.json()["predictions"], expected, atol=1e-5)
        exported = str(tmp_path / "exported.onnx")
        shutil.copyfile(server.manager.models["digits"].versions[1].runtime._model.filepath, exported)

    # When ONNX Runtime is not faster, Keras keeps serving (the export is reused, not redone).
    monkeypatch.setattr(onnx, "export", lambda model, path, *args, **kwargs: shutil.copyfile(exported, path))
    timed = _pin_timing(monkeypatch, onnx_faster=False)
    runtime = load_version(str(tmp_path / "digits" / "1"), LoadOptions(runtime="auto"))
    assert timed == [f"keras-{keras.backend.backend()}", "onnxruntime"]  # The reused export verified.
    assert runtime.name == f"keras-{keras.backend.backend()}"
    np.testing.assert_allclose(runtime.predict_batch({"image": x})["probs"], expected, atol=1e-6)
