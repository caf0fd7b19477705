"""`build_app`: the Starlette application with TF Serving's REST API, KServe v2 and Prometheus routes.

Route functions are small: they match the path, read the body (with a size
limit), and hand the work -- JSON parsing, the model call through the
batcher, JSON writing -- to a worker thread, so the event loop never blocks.
`_error_response` is the one place exceptions become `{"error": ...}`.
"""

import hmac
import re

import anyio
import numpy as np
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.responses import PlainTextResponse
from starlette.responses import Response
from starlette.routing import Route

from kerasverse.serving import json_tensor
from kerasverse.serving import kserve
from kerasverse.serving.errors import ServingError
from kerasverse.serving.errors import invalid_argument
from kerasverse.serving.errors import not_found
from kerasverse.serving.metrics import Metrics
from kerasverse.serving.model_manager import ModelManager
from kerasverse.serving.model_manager import ServedModel
from kerasverse.version import __version__

DEFAULT_MAX_REQUEST_BYTES = 32 * 1024 * 1024
_PREDICT = re.compile(r"/v1/models/([^/:]+)(?:(?:/versions/(\d+))|(?:/labels/([^/:]+)))?:(classify|regress|predict)", re.I)
_STATUS = re.compile(r"/v1/models(?:/([^/:]+))?(?:(?:/versions/(\d+))|(?:/labels/([^/:]+)))?(?:/(metadata))?", re.I)
_V2_MODEL = re.compile(r"/v2/models/([^/]+)(?:/versions/(\d+))?(?:/(ready|infer))?")
_OPEN_PATHS = ("/v2/health/live", "/v2/health/ready")
_JSON = "application/json"


class ServingState:
    """What the routes share: the models, metrics and limits."""

    def __init__(self, manager: ModelManager, metrics: Metrics, auth_token: str | None, max_request_bytes: int, num_threads: int):
        self.manager = manager
        self.metrics = metrics
        self.auth_token = auth_token
        self.max_request_bytes = max_request_bytes
        self.limiter = anyio.CapacityLimiter(num_threads)


def _json(document, status: int = 200) -> Response:
    return Response(json_tensor.dumps(document), status_code=status, media_type=_JSON)


def _error_response(error: Exception) -> Response:
    if isinstance(error, ServingError):
        headers = {"WWW-Authenticate": "Bearer"} if error.http_status == 401 else None
        return Response(json_tensor.dumps({"error": error.message}), status_code=error.http_status, media_type=_JSON, headers=headers)
    if isinstance(error, HTTPException):
        return JSONResponse({"error": str(error.detail)}, status_code=error.status_code)
    return JSONResponse({"error": f"Internal error: {type(error).__name__}: {error}"}, status_code=500)


async def _handle_errors(request: Request, error: Exception) -> Response:
    return _error_response(error)


def _state(request: Request) -> ServingState:
    return request.app.state.serving


def _check_auth(request: Request, state: ServingState) -> None:
    if state.auth_token is None or request.url.path in _OPEN_PATHS:
        return
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(token.strip().encode(), state.auth_token.encode()):
        raise ServingError("Missing or invalid bearer token: send `Authorization: Bearer <token>`.", "UNAUTHENTICATED")


async def _read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.isdigit():
            raise invalid_argument(f"Invalid Content-Length header. Received: {declared[:40]!r}")
        if int(declared) > limit:
            raise ServingError(f"Request body of {declared} bytes exceeds the limit of {limit} bytes.", "RESOURCE_EXHAUSTED", 413)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ServingError(f"Request body exceeds the limit of {limit} bytes.", "RESOURCE_EXHAUSTED", 413)
        chunks.append(chunk)
    return b"".join(chunks)


def _version(text: str | None) -> int | None:
    if not text:
        return None
    if len(text) > 19 or int(text) > 2**63 - 1:
        raise invalid_argument(f"Failed to convert version: {text} to numeric.")
    return int(text)


def _model(state: ServingState, name: str, status_route: bool = False) -> ServedModel:
    model = state.manager.models.get(name)
    if model is None:
        if status_route:
            raise not_found(f"Could not find any versions of model {name}")
        raise not_found(f"Servable not found for request: Latest({name})")
    return model


# ---- TF Serving REST API ----


async def v1(request: Request) -> Response:
    state = _state(request)
    _check_auth(request, state)
    path = request.url.path
    if request.method == "POST":
        match = _PREDICT.fullmatch(path)
        if match:
            name, version, label, verb = match.groups()
            body = await _read_body(request, state.max_request_bytes)
            model = _model(state, name)
            document = await anyio.to_thread.run_sync(
                _run_v1, state, model, _version(version), label, verb.lower(), body, limiter=state.limiter
            )
            return Response(document, media_type=_JSON)
    elif request.method == "GET":
        match = _STATUS.fullmatch(path)
        if match:
            name, version, label, metadata = match.groups()
            if not name:
                raise invalid_argument("Missing model name in request.")
            if version and label:
                raise invalid_argument(f"Both model version ({version}) and model version label ({label}) cannot be supplied.")
            model = _model(state, name, status_route=True)
            if metadata:
                return _json(_metadata(model, _version(version), label))
            return _json({"model_version_status": model.status(_version(version), label)})
    raise invalid_argument(f"Malformed request: {request.method} {path}")


def _run_v1(state: ServingState, model: ServedModel, version, label, verb: str, body: bytes) -> bytes:
    with state.metrics.timed_request(model.name, version, verb) as record:
        document = json_tensor.loads(body)
        with model.acquire(version, label) as servable:
            record.version = str(servable.version)
            runtime = servable.runtime
            if verb == "predict":
                arrays, request_format = json_tensor.parse_predict(
                    document, runtime.inputs, frozenset(getattr(runtime, "ignored_inputs", ())), _may_hold_bools(body)
                )
            else:
                arrays, request_format = _examples(document, runtime, verb), json_tensor.ROW
            outputs = servable.predict(_preprocess(runtime, arrays))
        if verb == "predict":
            response = json_tensor.format_predict(outputs, request_format)
        else:
            response = _classify_regress(outputs, verb)
        return json_tensor.dumps(response)


def _may_hold_bools(body: bytes) -> bool:
    return b"true" in body or b"false" in body


def _preprocess(runtime, arrays):
    try:
        return runtime.preprocess(arrays)
    except (ValueError, TypeError, KeyError) as error:
        raise invalid_argument(f"The model's transform refused the input: {error}") from None


def _examples(document: dict, runtime, verb: str) -> dict[str, np.ndarray]:
    """`:classify`/`:regress` requests (`{"context"?, "examples": [...]}`) as named rows."""
    examples = document.get("examples")
    if examples is None:
        raise invalid_argument(f"JSON Value: {json_tensor._short(document)} When method is {verb}, key 'examples' is expected and was not found")
    if not isinstance(examples, list):
        raise invalid_argument(f"JSON Value: {json_tensor._short(document)} Expecting 'examples' value to be an list/array")
    if not examples:
        raise invalid_argument(f"JSON Value: {json_tensor._short(document)} 'examples' value is an empty array")
    context = document.get("context") or {}
    if not isinstance(context, dict) or not all(isinstance(e, dict) for e in examples):
        raise invalid_argument("Example must be JSON object")
    _check_fits(runtime, verb)
    rows = [{**context, **example} for example in examples]
    return json_tensor._parse_instances({"instances": rows}, runtime.inputs, frozenset(getattr(runtime, "ignored_inputs", ())))


def _check_fits(runtime, verb):
    outputs = list(runtime.outputs.values())
    if len(outputs) != 1 or outputs[0].dtype == "string" or len(outputs[0].shape) > 2:
        raise invalid_argument(f"{verb} needs a model with one numeric output of shape [batch] or [batch, n]; use :predict.")
    if verb == "regress" and len(outputs[0].shape) == 2 and outputs[0].shape[1] != 1:
        raise invalid_argument("regress needs a model with one output value per example; use :predict or :classify.")


def _classify_regress(outputs: dict[str, np.ndarray], verb: str) -> dict:
    values = np.asarray(next(iter(outputs.values())), dtype="float64")
    if verb == "regress":
        return {"results": values.reshape(len(values)).tolist()}
    scores = values.reshape(len(values), -1)
    if scores.shape[1] == 1:  # One sigmoid unit: the two classes' probabilities.
        scores = np.concatenate([1.0 - scores, scores], axis=1)
    return {"results": [[[str(k), float(s)] for k, s in enumerate(row)] for row in scores]}


def _tensor_info(spec) -> dict:
    return {
        "dtype": spec.tf_dtype,
        "tensor_shape": {"dim": [{"size": str(s), "name": ""} for s in spec.signature_shape], "unknown_rank": False},
        "name": f"serving_default_{spec.name}:0",
    }


def _metadata(model: ServedModel, version, label) -> dict:
    with model.acquire(version, label, api="metadata") as servable:
        runtime = servable.runtime
        return {
            "model_spec": {"name": model.name, "signature_name": "", "version": str(servable.version)},
            "metadata": {
                "signature_def": {
                    "signature_def": {
                        "serving_default": {
                            "inputs": {name: _tensor_info(spec) for name, spec in runtime.inputs.items()},
                            "outputs": {name: _tensor_info(spec) for name, spec in runtime.outputs.items()},
                            "method_name": "tensorflow/serving/predict",
                            "defaults": {},
                        }
                    }
                },
                "runtime": runtime.name,
            },
        }


# ---- KServe v2 (Open Inference Protocol) ----


async def v2(request: Request) -> Response:
    state = _state(request)
    _check_auth(request, state)
    path = request.url.path.rstrip("/") or "/"
    if request.method == "GET":
        if path == "/v2":
            return _json({"name": "kerasverse", "version": __version__, "extensions": []})
        if path == "/v2/health/live":
            return _json({"live": True})
        if path == "/v2/health/ready":
            ready = all(m.ready() for m in state.manager.models.values())
            return _json({"ready": ready}, 200 if ready else 400)
    match = _V2_MODEL.fullmatch(path)
    if match:
        name, version, action = match.groups()
        model = _model(state, name)
        if request.method == "GET" and action == "ready":
            try:
                with model.acquire(_version(version)):
                    return _json({"name": name, "ready": True})
            except ServingError:
                return _json({"name": name, "ready": False}, 400)
        if request.method == "GET" and action is None:
            return _json(_v2_metadata(model, _version(version)))
        if request.method == "POST" and action == "infer":
            body = await _read_body(request, state.max_request_bytes)
            document = await anyio.to_thread.run_sync(_run_v2, state, model, _version(version), body, limiter=state.limiter)
            return Response(document, media_type=_JSON)
    raise not_found(f"Unknown route: {request.method} {path}")


def _v2_metadata(model: ServedModel, version) -> dict:
    with model.acquire(version) as servable:
        runtime = servable.runtime
        return {
            "name": model.name,
            "versions": [s["version"] for s in model.status() if s["state"] == "AVAILABLE"],
            "platform": runtime.name,
            "inputs": [{"name": n, "datatype": s.kserve_dtype, "shape": s.signature_shape} for n, s in runtime.inputs.items()],
            "outputs": [{"name": n, "datatype": s.kserve_dtype, "shape": s.signature_shape} for n, s in runtime.outputs.items()],
        }


def _run_v2(state: ServingState, model: ServedModel, version, body: bytes) -> bytes:
    with state.metrics.timed_request(model.name, version, "infer") as record:
        document = json_tensor.loads(body)
        with model.acquire(version) as servable:
            record.version = str(servable.version)
            runtime = servable.runtime
            arrays, requested = kserve.parse_infer(document, runtime.inputs)
            outputs = servable.predict(_preprocess(runtime, arrays))
            response = kserve.format_infer(model.name, servable.version, outputs, runtime.outputs, requested, document.get("id"))
        return json_tensor.dumps(response)


# ---- monitoring and fallbacks ----


async def prometheus(request: Request) -> Response:
    state = _state(request)
    _check_auth(request, state)
    runtimes = {name: model.runtimes() for name, model in state.manager.models.items()}
    return PlainTextResponse(state.metrics.render(runtimes), media_type="text/plain; version=0.0.4")


async def unknown(request: Request) -> Response:
    _check_auth(request, _state(request))
    raise not_found(f"Unknown route: {request.method} {request.url.path}")


_METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"]


def build_app(
    manager: ModelManager,
    metrics: Metrics | None = None,
    auth_token: str | None = None,
    max_request_bytes: int = DEFAULT_MAX_REQUEST_BYTES,
    num_threads: int = 64,
) -> Starlette:
    """The ASGI application serving `manager`'s models.

    Args:
        manager: a started `ModelManager`.
        metrics: where request counts and latencies go (a new `Metrics` by default).
        auth_token: if set, every route but `/v2/health/*` needs `Authorization: Bearer <token>`.
        max_request_bytes: larger bodies are refused with 413.
        num_threads: worker threads for request work (`--rest_api_num_threads`).

    Returns:
        A Starlette app (serve it with uvicorn, or use `ModelServer`).
    """
    routes = [
        Route("/v1/{rest:path}", v1, methods=_METHODS),
        Route("/v2", v2, methods=_METHODS),
        Route("/v2/{rest:path}", v2, methods=_METHODS),
        Route("/monitoring/prometheus/metrics", prometheus, methods=["GET"]),
        Route("/{rest:path}", unknown, methods=_METHODS),
    ]
    app = Starlette(routes=routes, exception_handlers={Exception: _handle_errors, HTTPException: _handle_errors, ServingError: _handle_errors})
    app.state.serving = ServingState(manager, metrics or Metrics(), auth_token, max_request_bytes, num_threads)
    return app
