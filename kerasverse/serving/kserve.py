"""The Open Inference Protocol (KServe v2) JSON mapping: `/v2/models/NAME/infer` requests and responses."""

import numpy as np

from kerasverse.serving.errors import invalid_argument
from kerasverse.serving.json_tensor import _short
from kerasverse.serving.json_tensor import check_shape
from kerasverse.serving.json_tensor import to_array
from kerasverse.serving.tensor_spec import KSERVE_TO_DTYPE
from kerasverse.serving.tensor_spec import TensorSpec


def parse_infer(document: dict, inputs: dict[str, TensorSpec]) -> tuple[dict[str, np.ndarray], list[str] | None]:
    """Reads an inference request: `{"inputs": [{"name", "shape", "datatype", "data"}], "outputs"?: [{"name"}]}`.

    Returns:
        `(arrays by input name, requested output names or None)`.
    """
    tensors = document.get("inputs")
    if not isinstance(tensors, list) or not tensors:
        raise invalid_argument(f"'inputs' must be a non-empty list of tensors. Received: {_short(tensors)}")
    arrays = {}
    for tensor in tensors:
        if not isinstance(tensor, dict):
            raise invalid_argument(f"Each input must be an object with name, shape, datatype and data. Received: {_short(tensor)}")
        name = tensor.get("name")
        if name not in inputs:
            raise invalid_argument(f"Unexpected inference input {_short(name)}; the model's inputs are {list(inputs)}.")
        if name in arrays:
            raise invalid_argument(f"Input {name!r} is given twice.")
        spec = inputs[name]
        datatype = tensor.get("datatype")
        if datatype != spec.kserve_dtype:
            raise invalid_argument(
                f"Input {name!r} has datatype {_short(datatype)}; the model expects {spec.kserve_dtype}. "
                f"Known datatypes: {sorted(KSERVE_TO_DTYPE)}."
            )
        shape = tensor.get("shape")
        if (
            not isinstance(shape, list)
            or not shape
            or any(isinstance(s, bool) or not isinstance(s, int) or s < 0 for s in shape)
        ):
            raise invalid_argument(f"Input {name!r}: 'shape' must be a list of sizes >= 0, batch first. Received: {_short(shape)}")
        if "data" not in tensor:
            raise invalid_argument(f"Input {name!r} has no 'data'.")
        flat = to_array(_flatten(tensor["data"], spec), TensorSpec(name, spec.dtype, (None,)))
        count = int(np.prod(shape))
        if flat.size != count:
            raise invalid_argument(f"Input {name!r}: shape {shape} needs {count} values; received {flat.size}.")
        array = flat.reshape(shape)
        check_shape(array, spec)
        arrays[name] = array
    missing = [name for name in inputs if name not in arrays]
    if missing:
        raise invalid_argument(f"Missing inference inputs {missing}; the model's inputs are {list(inputs)}.")
    requested = document.get("outputs")
    if requested is None:
        return arrays, None
    if not isinstance(requested, list) or not all(isinstance(o, dict) and isinstance(o.get("name"), str) for o in requested):
        raise invalid_argument(f"'outputs' must be a list of objects with a 'name'. Received: {_short(requested)}")
    return arrays, [o["name"] for o in requested]


def _flatten(data, spec):
    if not isinstance(data, list):
        return [data]
    if any(isinstance(item, list) for item in data):
        flat = []
        stack = [iter(data)]
        while stack:
            for item in stack[-1]:
                if isinstance(item, list):
                    stack.append(iter(item))
                    break
                flat.append(item)
            else:
                stack.pop()
        return flat
    return data


def format_infer(model_name: str, version: int, outputs: dict[str, np.ndarray], output_specs: dict[str, TensorSpec], requested, request_id) -> dict:
    """The inference response: `{"model_name", "model_version", "outputs": [{"name", "datatype", "shape", "data"}]}`."""
    names = list(outputs)
    if requested is not None:
        unknown = [name for name in requested if name not in outputs]
        if unknown:
            raise invalid_argument(f"Unknown requested outputs {unknown}; the model's outputs are {names}.")
        names = requested
    response = {"model_name": model_name, "model_version": str(version), "outputs": []}
    if request_id is not None:
        response["id"] = str(request_id)
    for name in names:
        array = np.asarray(outputs[name])
        spec = output_specs.get(name)
        data = array.reshape(-1).tolist()
        if array.dtype.kind in "OSU":
            data = [v.decode("utf-8", "replace") if isinstance(v, bytes) else v for v in data]
        response["outputs"].append(
            {
                "name": name,
                "datatype": spec.kserve_dtype if spec else "FP32",
                "shape": list(array.shape),
                "data": data,
            }
        )
    return response
