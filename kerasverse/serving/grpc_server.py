"""`GrpcServer`: TF Serving's gRPC API (`tensorflow.serving.PredictionService`, `ModelService`) on `--port`.

The methods are TF Serving's: `Predict`, `Classify`, `Regress`,
`GetModelMetadata` and `ModelService.GetModelStatus`, with its messages
(see `tf_serving_protos`), so TF Serving's gRPC clients work unchanged. They
share the model manager, batcher and metrics with the REST routes; errors are
TF Serving's status codes (NOT_FOUND for an unknown model or version,
INVALID_ARGUMENT for bad input, UNAUTHENTICATED without the bearer token).
`MultiInference` and `HandleReloadConfigRequest` answer UNIMPLEMENTED.

Example:

```python
import grpc
from kerasverse.serving import ModelServer, tensor_proto, tf_serving_protos as pb

with ModelServer([("digits", "models/digits")], rest_api_port=0, grpc_port=0) as server:
    predict = grpc.insecure_channel(server.grpc_target).unary_unary(
        "/tensorflow.serving.PredictionService/Predict",
        request_serializer=pb.PredictRequest.SerializeToString,
        response_deserializer=pb.PredictResponse.FromString,
    )
    request = pb.PredictRequest()
    request.model_spec.name = "digits"
    tensor_proto.from_numpy(x[:2], proto=request.inputs["image"])
    probabilities = tensor_proto.to_numpy(predict(request).outputs["probs"])
```
"""

import concurrent.futures
import hmac
import logging

import numpy as np

from kerasverse.serving import json_tensor
from kerasverse.serving import tensor_proto
from kerasverse.serving import tf_serving_protos as pb
from kerasverse.serving.app import _check_fits
from kerasverse.serving.app import _classify_regress
from kerasverse.serving.app import _preprocess
from kerasverse.serving.errors import ServingError
from kerasverse.serving.errors import invalid_argument
from kerasverse.serving.errors import not_found
from kerasverse.serving.metrics import Metrics
from kerasverse.serving.model_manager import ModelManager
from kerasverse.serving.model_manager import ServedModel
from kerasverse.serving.tensor_spec import TensorSpec

logger = logging.getLogger("kerasverse.serving")
_SIGNATURES = ("", "serving_default")


def _grpc():
    try:
        import grpc
    except ImportError:
        raise ImportError("The gRPC API (--port) needs grpcio: `pip install 'kerasverse[serving]'`.") from None
    return grpc


class PredictionHandlers:
    """The gRPC methods, as plain functions of (request message) -> response message.

    Args:
        manager: the started `ModelManager`.
        metrics: where request counts and latencies go (entrypoint `GRPC`).
        max_request_bytes: the largest decoded tensor accepted.
    """

    def __init__(self, manager: ModelManager, metrics: Metrics, max_request_bytes: int):
        self.manager = manager
        self.metrics = metrics
        self.max_request_bytes = max_request_bytes

    # ---- shared ----

    def _model(self, request) -> tuple[ServedModel, int | None, str | None]:
        if not request.HasField("model_spec"):
            raise invalid_argument("Missing ModelSpec")
        spec = request.model_spec
        model = self.manager.models.get(spec.name)
        if model is None:
            raise not_found(f"Servable not found for request: Latest({spec.name})")
        choice = spec.WhichOneof("version_choice")
        version = spec.version.value if choice == "version" else None
        label = spec.version_label if choice == "version_label" else None
        return model, version, label

    def _check_signature(self, request) -> None:
        name = request.model_spec.signature_name
        if name not in _SIGNATURES:
            raise ServingError(f'Serving signature key "{name}" not found.', "FAILED_PRECONDITION")

    def _timed(self, verb: str, request, work):
        model, version, label = self._model(request)  # Unknown names are not counted (as on REST): no label per guess.
        with self.metrics.timed_request(model.name, version, verb, entrypoint="GRPC", record=verb != "metadata") as record:
            with model.acquire(version, label, api="metadata" if verb == "metadata" else "predict") as servable:
                record.version = str(servable.version)
                response = work(model, servable)
                response.model_spec.name = model.name
                response.model_spec.version.value = servable.version
                return response

    # ---- PredictionService ----

    def predict(self, request):
        def work(model, servable):
            self._check_signature(request)
            runtime = servable.runtime
            arrays = self._inputs(request, runtime)
            names = self._output_filter(request, runtime.outputs)
            outputs = servable.predict(_preprocess(runtime, arrays))
            response = pb.PredictResponse()
            response.model_spec.signature_name = "serving_default"
            for name in names:
                tensor_proto.from_numpy(outputs[name], proto=response.outputs[name])
            return response

        return self._timed("predict", request, work)

    def _inputs(self, request, runtime) -> dict[str, np.ndarray]:
        expected = runtime.inputs
        ignored = frozenset(getattr(runtime, "ignored_inputs", ()))
        sent = set(request.inputs)
        for name in sorted(sent):
            if name not in expected and name not in ignored:
                raise invalid_argument(
                    f"input tensor alias not found in signature: {name}. Inputs expected to be in the set {{{','.join(expected)}}}."
                )
        missing = [name for name in expected if name not in sent]
        if missing:
            raise invalid_argument(
                f"input size does not match signature: {len(sent)}!={len(expected)} len({{{','.join(expected)}}}). "
                f"Sent extra: {{}}. Missing but required: {{{','.join(missing)}}}."
            )
        arrays = {name: self._array(request.inputs[name], spec) for name, spec in expected.items()}
        sizes = {array.shape[0] for array in arrays.values()}
        if len(sizes) > 1:
            raise invalid_argument(f"All inputs must have the same batch size. Received sizes {sorted(sizes)} for {list(arrays)}.")
        return arrays

    def _array(self, proto, spec: TensorSpec) -> np.ndarray:
        array = tensor_proto.to_numpy(proto, self.max_request_bytes)
        if (array.dtype == object) != (spec.dtype == "string"):
            raise invalid_argument(
                f"Expects arg {spec.name!r} to be {spec.tf_dtype} but {pb.DATA_TYPE.values_by_number[proto.dtype].name} is provided"
            )
        if spec.dtype == "string":
            array = np.vectorize(_text, otypes=[object])(array) if array.size else array
            json_tensor.check_shape(array, spec)
            return array
        if array.dtype.name == "bfloat16":
            array = array.astype("float32")
        return json_tensor.to_array(array, spec, check_bools=False)

    def _output_filter(self, request, outputs: dict[str, TensorSpec]) -> list[str]:
        if not request.output_filter:
            return list(outputs)
        names = []
        for name in request.output_filter:
            if name not in outputs:
                raise invalid_argument(
                    f"output tensor alias not found in signature: {name} Outputs expected to be in the set {{{','.join(outputs)}}}."
                )
            if name in names:
                raise invalid_argument(f"duplicate output tensor alias: {name}")
            names.append(name)
        return names

    def classify(self, request):
        return self._timed("classify", request, lambda model, servable: self._classify_regress(request, servable, "classify"))

    def regress(self, request):
        return self._timed("regress", request, lambda model, servable: self._classify_regress(request, servable, "regress"))

    def _classify_regress(self, request, servable, verb: str):
        self._check_signature(request)
        runtime = servable.runtime
        _check_fits(runtime, verb)
        arrays = _examples(request.input, runtime)
        results = _classify_regress(servable.predict(_preprocess(runtime, arrays)), verb)["results"]
        if verb == "regress":
            response = pb.RegressionResponse()
            for value in results:
                response.result.regressions.add(value=value)
        else:
            response = pb.ClassificationResponse()
            for row in results:
                classes = response.result.classifications.add()
                for label, score in row:
                    classes.classes.add(label=label, score=score)
        response.model_spec.signature_name = "serving_default"
        return response

    def get_model_metadata(self, request):
        fields = list(request.metadata_field)
        if not fields:
            raise invalid_argument("GetModelMetadataRequest must specify at least one metadata_field")
        for field in fields:
            if field != "signature_def":
                raise invalid_argument(f"Metadata field {field} is not supported")

        def work(model, servable):
            runtime = servable.runtime
            signatures = pb.SignatureDefMap()
            signature = signatures.signature_def["serving_default"]
            signature.method_name = "tensorflow/serving/predict"
            for specs, infos in ((runtime.inputs, signature.inputs), (runtime.outputs, signature.outputs)):
                for name, spec in specs.items():
                    info = infos[name]
                    info.name = f"serving_default_{name}:0"
                    info.dtype = pb.DATA_TYPE.values_by_name[spec.tf_dtype].number
                    for size in spec.signature_shape:
                        info.tensor_shape.dim.add().size = size
            response = pb.GetModelMetadataResponse()
            packed = response.metadata["signature_def"]
            packed.type_url = pb.SIGNATURE_DEF_MAP_TYPE_URL
            packed.value = signatures.SerializeToString(deterministic=True)
            return response

        return self._timed("metadata", request, work)

    # ---- ModelService ----

    def get_model_status(self, request):
        model, version, label = self._model(request)
        response = pb.GetModelStatusResponse()
        for entry in model.status(version, label):
            status = response.model_version_status.add()
            status.version = int(entry["version"])
            status.state = pb.ModelVersionStatus.State.Value(entry["state"])
            status.status.error_code = pb.ERROR_CODE.values_by_name[entry["status"]["error_code"]].number
            status.status.error_message = entry["status"]["error_message"]
        return response


def _text(value: bytes):
    """A string value as `str` when it is UTF-8 (as a JSON string would be), else the bytes."""
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        return value


def _feature_values(feature) -> list:
    kind = feature.WhichOneof("kind")
    if kind is None:
        return []
    values = list(getattr(feature, kind).value)
    return [_text(v) for v in values] if kind == "bytes_list" else values


def _examples(input_message, runtime) -> dict[str, np.ndarray]:
    """`tensorflow.Example`s (with their context) as the runtime's input arrays, one row per example."""
    kind = input_message.WhichOneof("kind")
    if kind is None:
        raise invalid_argument("Input is empty: send input.example_list or input.example_list_with_context.")
    holder = getattr(input_message, kind)
    if not holder.examples:
        raise invalid_argument("Input is empty.")
    context = {}
    if kind == "example_list_with_context":
        context = {name: _feature_values(f) for name, f in holder.context.features.feature.items()}
    rows = []
    for example in holder.examples:
        row = dict(context)
        row.update({name: _feature_values(f) for name, f in example.features.feature.items()})
        for name, values in row.items():
            spec = runtime.inputs.get(name)
            if spec is None:
                continue
            per_row = spec.shape[1:]
            if not per_row and len(values) == 1:
                row[name] = values[0]
            elif per_row and all(size is not None for size in per_row) and len(values) == int(np.prod(per_row)):
                row[name] = np.asarray(values, dtype=object).reshape(per_row).tolist()
        rows.append(row)
    return json_tensor._parse_instances({"instances": rows}, runtime.inputs, frozenset(getattr(runtime, "ignored_inputs", ())))


class GrpcServer:
    """Serves `PredictionHandlers` over gRPC, with TF Serving's service and method names.

    Args:
        manager: the started `ModelManager`.
        metrics: the server's `Metrics`.
        host: the address to bind.
        port: the port (0 picks a free one; `port` holds it after `start`).
        auth_token: if set, calls need `authorization: Bearer <token>` metadata.
        max_request_bytes: the largest message accepted (RESOURCE_EXHAUSTED above).
        max_threads: threads handling calls (`--grpc_max_threads`).
    """

    def __init__(self, manager: ModelManager, metrics: Metrics, *, host: str = "127.0.0.1", port: int = 8500,
                 auth_token: str | None = None, max_request_bytes: int = 32 * 1024 * 1024, max_threads: int = 16):
        self.handlers = PredictionHandlers(manager, metrics, max_request_bytes)
        self.host = host
        self.port = port
        self.auth_token = auth_token
        self.max_request_bytes = max_request_bytes
        self.max_threads = max_threads
        self._server = None

    @property
    def target(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"

    def _method(self, function, request_class, response_class):
        grpc = _grpc()

        def call(request, context):
            try:
                self._check_auth(context)
                return function(request)
            except ServingError as error:
                context.abort(grpc.StatusCode[error.code], error.message)
            except Exception as error:  # noqa: BLE001 -- one place turns failures into INTERNAL
                logger.exception("gRPC call failed")
                context.abort(grpc.StatusCode.INTERNAL, f"Internal error: {type(error).__name__}: {error}")

        return grpc.unary_unary_rpc_method_handler(
            call, request_deserializer=request_class.FromString, response_serializer=response_class.SerializeToString
        )

    def _check_auth(self, context) -> None:
        if self.auth_token is None:
            return
        header = dict(context.invocation_metadata()).get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(token.strip().encode(), self.auth_token.encode()):
            raise ServingError("Missing or invalid bearer token: send `authorization: Bearer <token>` metadata.", "UNAUTHENTICATED")

    def start(self) -> "GrpcServer":
        grpc = _grpc()
        functions = {
            "Predict": self.handlers.predict,
            "Classify": self.handlers.classify,
            "Regress": self.handlers.regress,
            "GetModelMetadata": self.handlers.get_model_metadata,
            "GetModelStatus": self.handlers.get_model_status,
        }
        handlers = [
            grpc.method_handlers_generic_handler(
                service, {name: self._method(functions[name], *classes) for name, classes in methods.items()}
            )
            for service, methods in pb.SERVICES.items()
        ]
        options = [("grpc.max_receive_message_length", self.max_request_bytes), ("grpc.so_reuseport", 0)]
        server = grpc.server(concurrent.futures.ThreadPoolExecutor(self.max_threads, thread_name_prefix="kerasverse-grpc"),
                             handlers=handlers, options=options)
        bound = server.add_insecure_port(f"{self.target.rsplit(':', 1)[0]}:{self.port}")
        if bound == 0:
            raise RuntimeError(f"gRPC could not bind {self.target} (port in use?).")
        self.port = bound
        server.start()
        self._server = server
        return self

    def stop(self, grace: float = 5.0) -> None:
        if self._server is not None:
            self._server.stop(grace).wait()
            self._server = None
