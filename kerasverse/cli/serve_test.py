"""`kerasverse serve` with TF Serving's flags, as a subprocess (what the pipeline's InfraValidator starts)."""

import os
import subprocess
import sys

import grpc
import pytest

from kerasverse.serving import Client
from kerasverse.serving import free_port
from kerasverse.serving import tensor_proto
from kerasverse.serving import tf_serving_protos as pb
from kerasverse.serving.conftest import images
from kerasverse.serving.conftest import save_version
from kerasverse.serving.conftest import small_model

pytestmark = pytest.mark.host


def test_serve_verb_with_tf_serving_flags(tmp_path):
    model_root = str(tmp_path / "models")
    save_version(os.path.join(model_root, "digits"), 1, small_model())
    port, grpc_port = free_port(), free_port()
    batching = tmp_path / "batching.config"
    batching.write_text("max_batch_size { value: 8 }\nbatch_timeout_micros { value: 1000 }\n")
    token = tmp_path / "token"
    token.write_text("t0ken\n")
    command = [
        sys.executable, "-m", "kerasverse.cli.main", "serve", "--model_name=digits",
        f"--model_base_path={os.path.join(model_root, 'digits')}", f"--rest_api_port={port}",
        "--file_system_poll_wait_seconds=0", "--enable_batching", f"--batching_parameters_file={batching}",
        f"--auth_token_file={token}", f"--port={grpc_port}",
    ]
    process = subprocess.Popen(command, env={**os.environ, "KERAS_BACKEND": "jax"}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        client = Client(f"http://127.0.0.1:{port}", token="t0ken")
        client.wait_until_available("digits", timeout=120)
        assert client.predict("digits", images(3)).shape == (3, 3)
        request = pb.PredictRequest()
        request.model_spec.name = "digits"
        tensor_proto.from_numpy(images(2), proto=request.inputs["image"])
        with grpc.insecure_channel(f"127.0.0.1:{grpc_port}") as channel:
            predict = channel.unary_unary("/tensorflow.serving.PredictionService/Predict",
                                          request_serializer=pb.PredictRequest.SerializeToString,
                                          response_deserializer=pb.PredictResponse.FromString)
            answer = predict(request, metadata=(("authorization", "Bearer t0ken"),), timeout=60)
        assert tensor_proto.to_numpy(answer.outputs["probs"]).shape == (2, 3)
    finally:
        process.terminate()
        output = process.communicate(timeout=30)[0].decode()
    assert f"digits on http://127.0.0.1:{port} and gRPC on 127.0.0.1:{grpc_port}" in output


def test_serve_verb_needs_a_model(capsys):
    from kerasverse.cli.main import main

    assert main(["serve"]) == 2
    assert "Pass --model_base_path=DIR" in capsys.readouterr().err
