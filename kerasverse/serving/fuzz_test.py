"""Fuzzing the REST routes: every bad request is a 4xx with `{"error"}`, and the server keeps answering."""

import json
import os
import random

import httpx
import pytest

from kerasverse.serving import ModelServer
from kerasverse.serving.conftest import images

pytestmark = pytest.mark.host

_ROUTES = [
    "/v1/models/digits:predict", "/v1/models/digits/versions/1:predict", "/v1/models/digits:classify",
    "/v1/models/digits:regress", "/v1/models/pair:predict", "/v2/models/digits/infer", "/v2/models/pair/infer",
]


def _random_json(rng: random.Random, depth: int = 0):
    choice = rng.randrange(9 if depth < 4 else 5)
    if choice == 0:
        return None
    if choice == 1:
        return rng.choice([True, False])
    if choice == 2:
        return rng.choice([0, -1, 2**70, 1.5, float("nan"), float("inf"), -1e308])
    if choice == 3:
        return rng.choice(["", "x", "../../etc/passwd", "\u0000", "é" * 50])
    if choice == 4:
        return {"b64": rng.choice(["%%", "QUJD", ""])}
    if choice in (5, 6):
        return [_random_json(rng, depth + 1) for _ in range(rng.randrange(4))]
    return {rng.choice(["instances", "inputs", "signature_name", "examples", "context", "a", "b", "image", "name",
                        "shape", "datatype", "data", "zzz"]): _random_json(rng, depth + 1) for _ in range(rng.randrange(4))}


def _cases(rng: random.Random):
    x = images(1).tolist()
    for _ in range(60):
        yield "POST", rng.choice(_ROUTES), bytes(rng.randrange(256) for _ in range(rng.randrange(1, 200)))
    for _ in range(120):
        yield "POST", rng.choice(_ROUTES), json.dumps(_random_json(rng), allow_nan=True).encode()
    for body in (
        {"instances": "x"}, {"instances": [x[0], "x"]}, {"instances": [[x[0]]]}, {"inputs": {"imagex": x}},
        {"instances": [{"image": x[0], "extra": 1}]}, {"instances": x, "inputs": x}, {"instances": [[1e39] * 64]},
        {"instances": [[[[0.0]] * 8] * 9]}, {"instances": [{"a": [1, 2, 3], "b": [1, 2], "c": 0}]},
        {"inputs": [{"name": "image", "shape": [-1], "datatype": "FP32", "data": []}]},
        {"inputs": [{"name": "image", "shape": [1, 8, 8, 1], "datatype": "INT64", "data": [0] * 64}]},
        {"inputs": [{"name": "../x", "shape": [1], "datatype": "FP32", "data": [0]}]},
        {"examples": "nope"}, {"examples": [1, 2]}, {"examples": [{"image": "x"}]},
    ):
        yield "POST", "/v1/models/digits:predict", json.dumps(body).encode()
        yield "POST", "/v2/models/digits/infer", json.dumps(body).encode()
        yield "POST", "/v1/models/digits:classify", json.dumps(body).encode()
    yield "POST", "/v1/models/digits:predict", json.dumps({"instances": [[0.5] * 300000]}).encode()  # Huge, wrong shape.
    yield "POST", "/v2/models/digits/infer", json.dumps({"instances": [[0.5] * 600000]}).encode()  # Over the limit.
    yield "POST", "/v1/models/digits:predict", b"[" * 200000 + b"]" * 200000  # Deep nesting.
    yield "POST", "/v1/models/digits:predict", b'{"instances": [' + b"1," * 10 ** 5 + b"1]}"
    for path in (
        "/v1/models/..%2F..%2Fetc%2Fpasswd", "/v1/models/../../etc/passwd:predict", "/v1/models/digits/versions/..%2F1",
        "/v1/models/digits/versions/99999999999999999999999", "/v1/models/digits/versions/-1:predict",
        "/v1/models/digits/labels/..%2F..:predict", "/v1/models/%00:predict", "/v2/models/..%2Fdigits/infer",
        "/v2/models/digits/versions/..%2F1/ready", "/v1/models/digits/metadata/extra", "/v1/models/a/b/c",
        "/v1/../etc/passwd", "/v2/models/digits/versions/1/infer/more",
    ):
        yield rng.choice(["GET", "POST"]), path, b'{"instances": [1]}'
    for method in ("PUT", "DELETE", "PATCH"):
        yield method, "/v1/models/digits:predict", b"{}"


@pytest.fixture(scope="module")
def server(model_root):
    configs = [("digits", os.path.join(model_root, "digits")), ("pair", os.path.join(model_root, "pair"))]
    with ModelServer(configs, rest_api_port=0, file_system_poll_wait_seconds=0, max_request_bytes=2_000_000) as running:
        yield running


def test_fuzzed_requests_get_4xx_errors_and_the_server_survives(server):
    rng = random.Random(0)
    seen = set()
    with httpx.Client(base_url=server.url, timeout=60) as http:
        for method, path, body in _cases(rng):
            answer = http.request(method, path, content=body, headers={"Content-Type": "application/json"})
            assert 400 <= answer.status_code < 500, (method, path, body[:200], answer.status_code, answer.text[:300])
            assert set(answer.json()) == {"error"} and answer.json()["error"], (path, answer.text[:200])
            seen.add(answer.status_code)
        valid = http.post("/v1/models/digits:predict", json={"instances": images(2).tolist()})
        assert valid.status_code == 200 and len(valid.json()["predictions"]) == 2
    assert {400, 404, 413} <= seen


def test_bearer_token_and_body_limit(model_root):
    digits = os.path.join(model_root, "digits")
    with ModelServer([("digits", digits)], rest_api_port=0, file_system_poll_wait_seconds=0, auth_token="s3cret",
                     max_request_bytes=4096) as server, httpx.Client(base_url=server.url, timeout=60) as http:
        assert server.host == "127.0.0.1"
        body = {"instances": images(1).tolist()}
        missing = http.post("/v1/models/digits:predict", json=body)
        assert missing.status_code == 401 and "bearer token" in missing.json()["error"]
        assert missing.headers["www-authenticate"] == "Bearer"
        wrong = http.get("/v1/models/digits", headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401
        assert http.get("/monitoring/prometheus/metrics").status_code == 401
        assert http.get("/v2/health/live").json() == {"live": True}  # Probes stay open.
        good = {"Authorization": "Bearer s3cret"}
        assert http.post("/v1/models/digits:predict", json=body, headers=good).status_code == 200
        large = http.post("/v1/models/digits:predict", json={"instances": images(4).tolist()}, headers=good)
        assert large.status_code == 413 and "exceeds the limit of 4096 bytes" in large.json()["error"]

        def chunks():
            for _ in range(10):
                yield b" " * 1000

        streamed = http.post("/v1/models/digits:predict", content=chunks(), headers=good)
        assert streamed.status_code == 413
        assert http.get("/v1/models/digits", headers=good).status_code == 200
