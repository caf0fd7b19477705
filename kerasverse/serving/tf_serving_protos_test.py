"""The committed descriptor set is the compiled `protos/*.proto`, and holds TF Serving's services and messages."""

import importlib.util
import os
import re

import pytest

from kerasverse.serving import compile_protos
from kerasverse.serving import tf_serving_protos as pb

pytestmark = pytest.mark.host


def test_every_proto_message_and_method_is_in_the_pool():
    for filename in compile_protos.PROTO_FILES:
        with open(os.path.join(compile_protos.PROTO_DIR, filename), encoding="utf-8") as file:
            text = file.read()
        package = re.search(r"^package ([\w.]+);", text, re.M).group(1)
        for name in re.findall(r"^message (\w+)", text, re.M):
            assert pb.pool.FindMessageTypeByName(f"{package}.{name}").full_name == f"{package}.{name}"
        for service, body in re.findall(r"^service (\w+) \{(.*?)^\}", text, re.M | re.S):
            assert set(re.findall(r"rpc (\w+)\(", body)) == set(pb.SERVICES[f"{package}.{service}"])
    assert set(pb.SERVICES["tensorflow.serving.PredictionService"]) == {"Predict", "Classify", "Regress", "GetModelMetadata"}
    assert pb.PredictRequest.DESCRIPTOR.fields_by_name["inputs"].number == 2
    assert pb.TensorProto.DESCRIPTOR.fields_by_name["half_val"].number == 13


@pytest.mark.skipif(importlib.util.find_spec("grpc_tools") is None, reason="grpcio-tools (a dev tool) compiles the protos")
def test_committed_descriptor_set_is_up_to_date():
    with open(os.path.join(os.path.dirname(compile_protos.__file__), "_tf_serving_descriptors.py"), encoding="utf-8") as file:
        committed = file.read()
    assert committed == compile_protos.render_module(compile_protos.compile_descriptor_set()), (
        "protos/*.proto changed: run `python -m kerasverse.serving.compile_protos` and commit the result."
    )
