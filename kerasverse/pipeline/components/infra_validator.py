"""InfraValidator: loads the candidate in a real `kerasverse serve` process and sends it raw rows."""

from __future__ import annotations

import json
import math
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from typing import Any

from kerasverse.pipeline import proto
from kerasverse.pipeline.components.base_component import BaseComponent
from kerasverse.pipeline.components.base_component import BaseExecutor
from kerasverse.pipeline.components.base_component import ChannelParameter
from kerasverse.pipeline.components.base_component import ComponentSpec
from kerasverse.pipeline.components.base_component import ExecutionParameter
from kerasverse.pipeline.components.trainer import SERVING_DIR
from kerasverse.pipeline.data.parquet_io import iter_batches
from kerasverse.pipeline.data.parquet_io import split_files
from kerasverse.pipeline.types import standard_artifacts
from kerasverse.pipeline.types.channel import Channel


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _request(url: str, body: dict | None = None, timeout: float = 30.0) -> tuple[int, Any]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace")


def _sample_rows(examples, num_examples: int, label_key: str | None) -> list[dict[str, Any]]:
    files = split_files(examples.uri, "eval") or split_files(examples.uri, examples.splits()[0])
    rows: list[dict[str, Any]] = []
    # Complete rows only: a JSON null is not a float32 for TF Serving's request format.
    for batch in iter_batches(files, batch_size=1024):
        for row in batch.to_pylist():
            row.pop(label_key, None)
            if all(v is not None and not (isinstance(v, float) and math.isnan(v)) for v in row.values()):
                rows.append(row)
            if len(rows) == num_examples:
                return rows
    return rows


class InfraValidatorExecutor(BaseExecutor):
    def Do(self, input_dict, output_dict, exec_properties) -> None:  # noqa: N802
        blessing = output_dict["blessing"][0]
        model = input_dict["model"][0]
        log = {"checks": []}
        try:
            import kerasverse.serving  # noqa: F401
        except ImportError as error:
            blessing.set_custom_property("blessed", 1)
            blessing.set_custom_property("validation_skipped", f"kerasverse.serving cannot be imported: {error}")
            with open(os.path.join(blessing.uri, "INFRA_VALIDATION_SKIPPED"), "w") as handle:
                handle.write(f"kerasverse.serving cannot be imported: {error}\n")
            return
        serving_spec = exec_properties.get("serving_spec") or proto.ServingSpec()
        validation_spec = exec_properties.get("validation_spec") or proto.ValidationSpec()
        request_spec = exec_properties.get("request_spec") or proto.RequestSpec()
        source = os.path.join(model.uri, SERVING_DIR)
        label_key = None
        transform_file = os.path.join(source, "transform", "transform.json")
        if os.path.isfile(transform_file):
            with open(transform_file) as handle:
                label_key = json.load(handle).get("label_key")
        examples = (input_dict.get("examples") or [None])[0]
        rows = _sample_rows(examples, request_spec.num_examples, label_key) if examples else []
        base = tempfile.mkdtemp(prefix="infra-validation-")
        shutil.copytree(source, os.path.join(base, "1"))
        port = _free_port()
        name = serving_spec.model_name
        command = [sys.executable, "-m", "kerasverse.cli.main", "serve", f"--model_name={name}",
                   f"--model_base_path={base}", f"--rest_api_port={port}", "--file_system_poll_wait_seconds=0"]
        env = {**os.environ, "KERAS_BACKEND": os.environ.get("KERAS_BACKEND", "jax")}
        log_path = os.path.join(blessing.uri, "server.log")
        blessed = False
        with open(log_path, "w") as server_log:
            process = subprocess.Popen(command, stdout=server_log, stderr=subprocess.STDOUT, env=env)
            try:
                blessed = self._validate(process, f"http://127.0.0.1:{port}", name, rows, validation_spec, log)
            finally:
                process.terminate()
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
                shutil.rmtree(base, ignore_errors=True)
        with open(os.path.join(blessing.uri, "INFRA_BLESSED" if blessed else "INFRA_NOT_BLESSED"), "w"):
            pass
        with open(os.path.join(blessing.uri, "validation.json"), "w") as handle:
            json.dump(log, handle, indent=1, default=str)
        blessing.set_custom_property("blessed", int(blessed))

    @staticmethod
    def _validate(process, url: str, name: str, rows: list, validation_spec: proto.ValidationSpec, log: dict) -> bool:
        deadline = time.time() + validation_spec.max_loading_time_seconds
        while time.time() < deadline:
            if process.poll() is not None:
                log["checks"].append({"check": "start", "ok": False, "exit_code": process.returncode})
                return False
            try:
                status, body = _request(f"{url}/v1/models/{name}", timeout=5)
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.5)
                continue
            states = [v.get("state") for v in (body or {}).get("model_version_status", [])] if status == 200 else []
            if "AVAILABLE" in states:
                log["checks"].append({"check": "load", "ok": True, "seconds_left": round(deadline - time.time(), 1)})
                break
            time.sleep(0.5)
        else:
            log["checks"].append({"check": "load", "ok": False, "reason": "not AVAILABLE in time"})
            return False
        ok = True
        for row in rows:
            status, body = _request(f"{url}/v1/models/{name}:predict", {"instances": [row]})
            log["checks"].append({"check": "predict", "ok": status == 200, "status": status,
                                  "response": body if status != 200 else None})
            ok &= status == 200
        return ok


class InfraValidatorSpec(ComponentSpec):
    INPUTS = {
        "model": ChannelParameter(type=standard_artifacts.Model),
        "examples": ChannelParameter(type=standard_artifacts.Examples, optional=True),
    }
    OUTPUTS = {"blessing": ChannelParameter(type=standard_artifacts.InfraBlessing)}
    PARAMETERS = {
        "serving_spec": ExecutionParameter(type=proto.ServingSpec),
        "validation_spec": ExecutionParameter(type=proto.ValidationSpec),
        "request_spec": ExecutionParameter(type=proto.RequestSpec),
    }


class InfraValidator(BaseComponent):
    """Serves the candidate with `kerasverse serve` on a free port and sends it raw rows.

    The model is blessed (`blessing` custom property `blessed`=1, file
    INFRA_BLESSED) when the server reports it AVAILABLE within
    `validation_spec.max_loading_time_seconds` and answers every `:predict`
    request with 200. `server.log` and `validation.json` stay in the artifact.

    Args:
        model: The candidate `Model`.
        examples: `Examples` to take request rows from (the eval split; label dropped).
        serving_spec: `proto.ServingSpec(model_name=...)`.
        validation_spec: `proto.ValidationSpec(max_loading_time_seconds=...)`.
        request_spec: `proto.RequestSpec(num_examples=...)`.

    Example:

    ```python
    infra_validator = tfx.components.InfraValidator(model=trainer.outputs["model"],
                                                    examples=example_gen.outputs["examples"])
    pusher = tfx.components.Pusher(..., infra_blessing=infra_validator.outputs["blessing"])
    ```
    """

    SPEC_CLASS = InfraValidatorSpec
    EXECUTOR_CLASS = InfraValidatorExecutor

    def __init__(self, model: Channel, examples: Channel | None = None, serving_spec: proto.ServingSpec | None = None,
                 validation_spec: proto.ValidationSpec | None = None,
                 request_spec: proto.RequestSpec | None = None) -> None:
        super().__init__(inputs={"model": model, "examples": examples}, exec_properties={
            "serving_spec": serving_spec, "validation_spec": validation_spec, "request_spec": request_spec})
