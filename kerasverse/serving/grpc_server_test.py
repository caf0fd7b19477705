"""TF Serving's gRPC API on a real port: Predict, Classify, Regress, metadata and status, and its status codes."""

import importlib.util
import json
import os
import subprocess
import sys

import grpc
import keras
import numpy as np
import pytest

from kerasverse.serving import BatchingParameters
from kerasverse.serving import ModelConfig
from kerasverse.serving import ModelServer
from kerasverse.serving import tensor_proto
from kerasverse.serving import tf_serving_protos as pb
from kerasverse.serving.conftest import images

_TOKEN = "grpc-test-token"
_AUTH = (("authorization", f"Bearer {_TOKEN}"),)


@pytest.fixture(scope="module")
def server(model_root):
    configs = [
        ModelConfig("digits", os.path.join(model_root, "digits"), version_labels={"stable": 1}),
        ModelConfig("pair", os.path.join(model_root, "pair")),
    ]
    # Through the batcher, with one bucket: one compilation per model at load.
    batching = BatchingParameters(max_batch_size=4, batch_timeout_micros=0, allowed_batch_sizes=(4,))
    with ModelServer(configs, rest_api_port=0, grpc_port=0, file_system_poll_wait_seconds=0, auth_token=_TOKEN,
                     batching_parameters=batching) as running:
        yield running


@pytest.fixture(scope="module")
def channel(server):
    with grpc.insecure_channel(server.grpc_target) as opened:
        yield opened


def _call(channel, service, method, request, metadata=_AUTH):
    request_class, response_class = pb.SERVICES[f"tensorflow.serving.{service}"][method]
    stub = channel.unary_unary(f"/tensorflow.serving.{service}/{method}", request_serializer=request_class.SerializeToString,
                               response_deserializer=response_class.FromString)
    return stub(request, metadata=metadata, timeout=60)


def _predict_request(name, inputs, version=None, label=None, signature=""):
    request = pb.PredictRequest()
    request.model_spec.name = name
    request.model_spec.signature_name = signature
    if version is not None:
        request.model_spec.version.value = version
    if label is not None:
        request.model_spec.version_label = label
    for key, array in inputs.items():
        tensor_proto.from_numpy(array, proto=request.inputs[key])
    return request


def _keras(server, version, x):
    path = os.path.join(server.manager.models["digits"].config.base_path, str(version), "model.keras")
    return np.asarray(keras.saving.load_model(path).predict(x, verbose=0))


def _code(channel, service, method, request, metadata=_AUTH):
    with pytest.raises(grpc.RpcError) as raised:
        _call(channel, service, method, request, metadata)
    return raised.value.code(), raised.value.details()


def test_predict_round_trip_matches_keras(server, channel):
    x = images(3)
    response = _call(channel, "PredictionService", "Predict", _predict_request("digits", {"image": x}, version=1))
    assert response.model_spec.name == "digits" and response.model_spec.version.value == 1
    assert response.model_spec.signature_name == "serving_default"
    probs = response.outputs["probs"]
    assert pb.DATA_TYPE.values_by_number[probs.dtype].name == "DT_FLOAT" and len(probs.float_val) == 9
    np.testing.assert_allclose(tensor_proto.to_numpy(probs), _keras(server, 1, x), atol=1e-5)
    latest = _call(channel, "PredictionService", "Predict", _predict_request("digits", {"image": x[:1].astype("float64")}))
    assert latest.model_spec.version.value == 1  # No version: the latest; DT_DOUBLE values fit a float32 input.
    np.testing.assert_allclose(tensor_proto.to_numpy(latest.outputs["probs"]), _keras(server, 1, x[:1]), atol=1e-5)
    labelled = _call(channel, "PredictionService", "Predict", _predict_request("digits", {"image": x[:1]}, label="stable"))
    assert labelled.model_spec.version.value == 1
    code, details = _code(channel, "PredictionService", "Predict", _predict_request("digits", {"image": x}, label="canary"))
    assert code == grpc.StatusCode.INVALID_ARGUMENT and "Unrecognized servable version label: canary" in details


def test_named_inputs_and_output_filter(channel):
    request = _predict_request("pair", {"a": np.ones((2, 3), "float32"), "b": np.array([[1, 2], [3, 4]], "int32")})
    request.output_filter.append("logits")
    response = _call(channel, "PredictionService", "Predict", request)
    assert list(response.outputs) == ["logits"]
    assert tensor_proto.to_numpy(response.outputs["logits"]).shape == (2, 2)


def test_errors_are_tf_serving_status_codes(channel):
    x = images(1)
    cases = [
        (_predict_request("nope", {"image": x}), grpc.StatusCode.NOT_FOUND, "Servable not found for request: Latest(nope)"),
        (_predict_request("digits", {"image": x}, version=9), grpc.StatusCode.NOT_FOUND, "Specific(digits, 9)"),
        (_predict_request("digits", {"picture": x}), grpc.StatusCode.INVALID_ARGUMENT, "input tensor alias not found in signature: picture"),
        (_predict_request("pair", {"a": np.ones((1, 3), "float32")}), grpc.StatusCode.INVALID_ARGUMENT, "Missing but required: {b}"),
        (_predict_request("digits", {"image": x[:, :4]}), grpc.StatusCode.INVALID_ARGUMENT, "expects shape"),
        (_predict_request("digits", {"image": np.array([[b"x"]], dtype=object)}), grpc.StatusCode.INVALID_ARGUMENT, "DT_STRING is provided"),
        (_predict_request("digits", {"image": x}, signature="other"), grpc.StatusCode.FAILED_PRECONDITION, 'signature key "other"'),
        (pb.PredictRequest(), grpc.StatusCode.INVALID_ARGUMENT, "Missing ModelSpec"),
    ]
    for request, code, message in cases:
        received, details = _code(channel, "PredictionService", "Predict", request)
        assert received == code and message in details, (code, message, received, details)
    received, _ = _code(channel, "PredictionService", "Predict", _predict_request("digits", {"image": x}), metadata=None)
    assert received == grpc.StatusCode.UNAUTHENTICATED
    unknown = channel.unary_unary("/tensorflow.serving.PredictionService/MultiInference")
    with pytest.raises(grpc.RpcError) as raised:
        unknown(b"", metadata=_AUTH, timeout=60)
    assert raised.value.code() == grpc.StatusCode.UNIMPLEMENTED
    assert _call(channel, "PredictionService", "Predict", _predict_request("digits", {"image": x})).outputs["probs"].float_val


def test_classify_and_regress_take_examples(server, channel):
    x = images(2)
    request = pb.ClassificationRequest()
    request.model_spec.name = "digits"
    request.model_spec.version.value = 1
    for row in x:
        request.input.example_list.examples.add().features.feature["image"].float_list.value.extend(row.reshape(-1).tolist())
    response = _call(channel, "PredictionService", "Classify", request)
    scores = [[c.score for c in classes.classes] for classes in response.result.classifications]
    assert [c.label for c in response.result.classifications[0].classes] == ["0", "1", "2"]
    np.testing.assert_allclose(scores, _keras(server, 1, x), atol=1e-5)
    regress = pb.RegressionRequest()
    regress.model_spec.name = "digits"
    regress.input.CopyFrom(request.input)
    code, details = _code(channel, "PredictionService", "Regress", regress)
    assert code == grpc.StatusCode.INVALID_ARGUMENT and "one output value per example" in details


def test_metadata_and_status(channel):
    request = pb.GetModelMetadataRequest(metadata_field=["signature_def"])
    request.model_spec.name = "digits"
    response = _call(channel, "PredictionService", "GetModelMetadata", request)
    assert response.model_spec.version.value == 1
    packed = response.metadata["signature_def"]
    assert packed.type_url == "type.googleapis.com/tensorflow.serving.SignatureDefMap"
    signature = pb.SignatureDefMap.FromString(packed.value).signature_def["serving_default"]
    image = signature.inputs["image"]
    assert pb.DATA_TYPE.values_by_number[image.dtype].name == "DT_FLOAT"
    assert [d.size for d in image.tensor_shape.dim] == [-1, 8, 8, 1]
    assert [d.size for d in signature.outputs["probs"].tensor_shape.dim] == [-1, 3]
    status = pb.GetModelStatusRequest()
    status.model_spec.name = "digits"
    versions = _call(channel, "ModelService", "GetModelStatus", status).model_version_status
    assert [(v.version, pb.ModelVersionStatus.State.Name(v.state), v.status.error_code) for v in versions] == [(1, "AVAILABLE", 0)]
    status.model_spec.name = "nope"
    assert _code(channel, "ModelService", "GetModelStatus", status)[0] == grpc.StatusCode.NOT_FOUND


# TF Serving's own client code: its generated stubs and messages (tensorflow-serving-api), with TF's
# framework protos loaded without TensorFlow's runtime (a bare `tensorflow` namespace), in a subprocess.
_TF_SERVING_CLIENT = r"""
import importlib.util, json, sys, types
import numpy as np
spec = importlib.util.find_spec("tensorflow")
namespace = types.ModuleType("tensorflow")
namespace.__path__ = list(spec.submodule_search_locations)
sys.modules["tensorflow"] = namespace
import grpc
from tensorflow.core.framework import types_pb2
from tensorflow_serving.apis import get_model_metadata_pb2, get_model_status_pb2, model_service_pb2_grpc
from tensorflow_serving.apis import predict_pb2, prediction_service_pb2_grpc
job = json.load(sys.stdin)
metadata = (("authorization", "Bearer " + job["token"]),)
channel = grpc.insecure_channel(job["target"])
predict = predict_pb2.PredictRequest()
predict.model_spec.name = "digits"
predict.model_spec.version.value = 1
image = predict.inputs["image"]
image.dtype = types_pb2.DT_FLOAT
for size in job["shape"]:
    image.tensor_shape.dim.add().size = size
image.tensor_content = np.asarray(job["x"], dtype="<f4").tobytes()
answer = prediction_service_pb2_grpc.PredictionServiceStub(channel).Predict(predict, metadata=metadata, timeout=60)
probs = answer.outputs["probs"]
status = get_model_status_pb2.GetModelStatusRequest()
status.model_spec.name = "digits"
versions = model_service_pb2_grpc.ModelServiceStub(channel).GetModelStatus(status, metadata=metadata, timeout=60)
meta = get_model_metadata_pb2.GetModelMetadataRequest(metadata_field=["signature_def"])
meta.model_spec.name = "digits"
signatures = get_model_metadata_pb2.SignatureDefMap()
prediction = prediction_service_pb2_grpc.PredictionServiceStub(channel)
prediction.GetModelMetadata(meta, metadata=metadata, timeout=60).metadata["signature_def"].Unpack(signatures)
try:
    missing = predict_pb2.PredictRequest()
    missing.model_spec.name = "nope"
    prediction.Predict(missing, metadata=metadata, timeout=60)
    code = "OK"
except grpc.RpcError as error:
    code = error.code().name
json.dump({
    "version": answer.model_spec.version.value,
    "dtype": types_pb2.DataType.Name(probs.dtype),
    "shape": [d.size for d in probs.tensor_shape.dim],
    "probs": list(probs.float_val),
    "states": [(v.version, get_model_status_pb2.ModelVersionStatus.State.Name(v.state)) for v in versions.model_version_status],
    "input_dims": [d.size for d in signatures.signature_def["serving_default"].inputs["image"].tensor_shape.dim],
    "missing": code,
}, sys.stdout)
"""


@pytest.mark.skipif(importlib.util.find_spec("tensorflow_serving") is None or importlib.util.find_spec("tensorflow") is None,
                    reason="TF Serving's client (tensorflow-serving-api, installed with --no-deps) is the oracle")
def test_tf_serving_client_stubs_talk_to_us(server):
    x = images(2)
    job = {"target": server.grpc_target, "token": _TOKEN, "x": x.reshape(-1).tolist(), "shape": list(x.shape)}
    done = subprocess.run([sys.executable, "-c", _TF_SERVING_CLIENT], input=json.dumps(job), capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    answer = json.loads(done.stdout)
    assert answer["version"] == 1 and answer["dtype"] == "DT_FLOAT" and answer["shape"] == [2, 3]
    np.testing.assert_allclose(np.reshape(answer["probs"], (2, 3)), _keras(server, 1, x), atol=1e-5)
    assert answer["states"] == [[1, "AVAILABLE"]]
    assert answer["input_dims"] == [-1, 8, 8, 1]
    assert answer["missing"] == "NOT_FOUND"
