"""Serving a `.tflite` file with LiteRT, from a committed fixture (converting takes TensorFlow and ~20-60 s).

`testdata/litert/` holds `conftest.small_model(seed=5)` as `model.keras` (the
oracle, run on the current backend) and its float32 LiteRT conversion,
written once with:

    from kerasverse.export import litert
    model = small_model(seed=5)
    model.save("testdata/litert/model.keras")
    litert.export(model, "testdata/litert/model.tflite")
"""

import importlib.util
import os
import shutil
import sys

import grpc
import httpx
import keras
import numpy as np
import pytest

from kerasverse.serving import ModelServer
from kerasverse.serving import tensor_proto
from kerasverse.serving import tf_serving_protos as pb
from kerasverse.serving.conftest import images

FIXTURE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "testdata", "litert")


@pytest.mark.skipif(importlib.util.find_spec("ai_edge_litert") is None, reason="needs ai-edge-litert (the [litert] extra)")
def test_tflite_version_is_served_by_litert_like_keras(tmp_path):
    tensorflow_before = "tensorflow" in sys.modules
    shutil.copytree(FIXTURE, tmp_path / "digits" / "1", ignore=shutil.ignore_patterns("*.keras"))
    x = images(5, seed=3)
    expected = np.asarray(keras.saving.load_model(os.path.join(FIXTURE, "model.keras")).predict(x, verbose=0))
    with ModelServer([("digits", str(tmp_path / "digits"))], rest_api_port=0, grpc_port=0,
                     file_system_poll_wait_seconds=0) as server, \
            httpx.Client(base_url=server.url, timeout=60) as http:
        metadata = http.get("/v1/models/digits/metadata").json()["metadata"]
        assert metadata["runtime"] == "litert"
        assert list(metadata["signature_def"]["signature_def"]["serving_default"]["inputs"]) == ["image"]
        answer = http.post("/v1/models/digits:predict", json={"instances": x.tolist()})
        assert answer.status_code == 200, answer.text
        np.testing.assert_allclose(answer.json()["predictions"], expected, atol=1e-5)
        request = pb.PredictRequest()
        request.model_spec.name = "digits"
        tensor_proto.from_numpy(x, proto=request.inputs["image"])  # The converter's tensor name, as the Keras name.
        with grpc.insecure_channel(server.grpc_target) as channel:
            response = channel.unary_unary("/tensorflow.serving.PredictionService/Predict",
                                           request_serializer=pb.PredictRequest.SerializeToString,
                                           response_deserializer=pb.PredictResponse.FromString)(request, timeout=60)
        (output,) = response.outputs.values()
        np.testing.assert_allclose(tensor_proto.to_numpy(output), expected, atol=1e-5)
    assert tensorflow_before or "tensorflow" not in sys.modules  # LiteRT's interpreter runs without TensorFlow.
