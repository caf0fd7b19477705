"""TF Serving's JSON mapping of tensors: `:predict` requests (row and columnar) and responses.

Follows `tensorflow_serving/util/json_tensor.cc`: `instances` (row format,
a list with one item per example, objects for named inputs) or `inputs`
(columnar format, batch-first values, an object for named inputs);
`{"b64": "..."}` for binary strings; NaN and ±Infinity accepted and written
as the bare tokens `NaN`, `Infinity`, `-Infinity`. Errors carry TF Serving's
messages where it has one.
"""

import base64
import binascii
import json

import numpy as np

from kerasverse.serving.errors import invalid_argument
from kerasverse.serving.tensor_spec import TensorSpec

ROW = "row"
COLUMNAR = "columnar"
_JSON_TYPES = {type(None): "Null", bool: "Bool", dict: "Object", list: "Array", str: "String", int: "Number", float: "Number"}


def loads(body: bytes):
    """Parses a request body; `ServingError` (400) with rapidjson-like wording when it is not a JSON object."""
    if not body:
        raise invalid_argument("JSON Parse error: The document is empty")
    try:
        document = json.loads(body)
    except UnicodeDecodeError as error:
        raise invalid_argument(f"JSON Parse error: Invalid encoding in string. at offset: {error.start}") from None
    except json.JSONDecodeError as error:
        raise invalid_argument(f"JSON Parse error: {error.msg} at offset: {error.pos}") from None
    except RecursionError:
        raise invalid_argument("JSON Parse error: The document is nested too deeply") from None
    if not isinstance(document, dict):
        raise invalid_argument(f"JSON Value: {_short(document)} Is not object")
    return document


def dumps(document) -> bytes:
    """Writes a response; NaN and ±Infinity as TF Serving writes them."""
    return json.dumps(document, allow_nan=True, separators=(",", ":")).encode("utf-8")


def _short(value, limit: int = 200) -> str:
    try:
        text = json.dumps(value, allow_nan=True)
    except (TypeError, ValueError, RecursionError):
        text = repr(value)
    return text if len(text) <= limit else text[:limit] + "..."


def is_b64(value) -> bool:
    return isinstance(value, dict) and len(value) == 1 and isinstance(value.get("b64"), str)


def _decode_b64(value) -> bytes:
    if not is_b64(value):
        raise invalid_argument(f"JSON Value: {_short(value)} not formatted correctly for base64 data")
    try:
        return base64.b64decode(value["b64"], validate=True)
    except (binascii.Error, ValueError):
        raise invalid_argument("Unable to base64 decode") from None


def _strings(value, spec: TensorSpec):
    if isinstance(value, list):
        return [_strings(item, spec) for item in value]
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return _decode_b64(value)
    raise _type_error(value, spec)


def _type_error(value, spec: TensorSpec):
    return invalid_argument(
        f"JSON Value: {_short(value)} Type: {_JSON_TYPES.get(type(value), 'Number')} is not of expected type: "
        f"{spec.dtype} (input {spec.name!r})"
    )


def _first_bad_leaf(value, accept):
    if isinstance(value, list):
        for item in value:
            bad = _first_bad_leaf(item, accept)
            if bad is not None:
                return bad
        return None
    return None if accept(value) else (value,)


_NUMERIC_KINDS = {"f": "iuf", "i": "iu", "u": "iu", "b": "b"}


def _has_bool(value) -> bool:
    if isinstance(value, list):
        return any(_has_bool(item) for item in value)
    return isinstance(value, bool)


def to_array(value, spec: TensorSpec, batched: bool = True, check_bools: bool = True) -> np.ndarray:
    """Converts a JSON value to an array of `spec`'s dtype, checking type, nesting and shape.

    Args:
        value: the JSON value (nested lists, numbers, strings, b64 objects).
        spec: the input's `TensorSpec` (batch first).
        batched: whether `value` includes the batch dimension.
        check_bools: look for `true`/`false` among numbers (numpy would take
            them as 1/0); callers skip the walk when the body has no such token.

    Returns:
        A numpy array (object dtype holding `str`/`bytes` for string inputs).

    Raises:
        ServingError: INVALID_ARGUMENT for a wrong type, ragged nesting or shape.
    """
    if spec.dtype == "string":
        array = np.empty(0, dtype=object)
        try:
            array = np.array(_strings(value, spec), dtype=object)
        except ValueError:
            array = None
        if array is None or any(not isinstance(item, (str, bytes)) for item in array.reshape(-1)):
            raise invalid_argument(f"Input {spec.name!r}: the lists must all have the same length (a dense tensor). Received: {_short(value)}")
    else:
        kind = np.dtype(spec.dtype).kind
        try:
            array = np.asarray(value)
        except (ValueError, OverflowError):
            array = None
        if array is not None and check_bools and kind != "b" and array.dtype.kind in "iuf" and _has_bool(value):
            array = None
        if array is None or array.dtype.kind not in _NUMERIC_KINDS[kind]:
            accept = {
                "f": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
                "i": lambda v: isinstance(v, int) and not isinstance(v, bool),
                "u": lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= 0,
                "b": lambda v: isinstance(v, bool),
            }[kind]
            bad = _first_bad_leaf(value, accept)
            if bad is not None:
                raise _type_error(bad[0], spec)
            raise invalid_argument(
                f"Input {spec.name!r}: the lists must all have the same length (a dense tensor) and values must fit "
                f"{spec.dtype}. Received: {_short(value)}"
            )
        if kind in "iu":
            info = np.iinfo(spec.dtype)
            if array.size and (array.min() < info.min or array.max() > info.max):
                raise invalid_argument(f"Input {spec.name!r}: a value does not fit {spec.dtype}. Received: {_short(value)}")
        elif kind == "f" and array.dtype.kind == "f" and array.size:
            finite = array[np.isfinite(array)]
            if finite.size and np.abs(finite).max() > np.finfo(spec.dtype).max:
                raise invalid_argument(
                    f"Cannot convert JSON value: {_short(float(np.abs(finite).max()))} to {spec.dtype} without loss of precision."
                )
        array = array.astype(spec.dtype, copy=False)
    check_shape(array, spec, batched)
    return array


def check_shape(array: np.ndarray, spec: TensorSpec, batched: bool = True) -> None:
    expected = list(spec.shape if batched else spec.shape[1:])
    shape = list(array.shape)
    if len(shape) != len(expected) or any(e is not None and e != s for e, s in zip(expected, shape)):
        shown = [-1 if e is None else e for e in expected]
        raise invalid_argument(
            f"Input {spec.name!r} expects shape {shown}{' (batch first)' if batched else ' per instance'}; received "
            f"shape {shape}. Send a value of that shape (nested lists), e.g. with `instances` one item per example."
        )
    if batched and shape and shape[0] == 0:
        raise invalid_argument(f"Input {spec.name!r}: the batch is empty. Send at least one example.")


def parse_predict(document: dict, inputs: dict[str, TensorSpec], ignored: frozenset = frozenset(), check_bools: bool = True):
    """Reads a `:predict` request object.

    Args:
        document: the parsed JSON object.
        inputs: the signature's inputs by name.
        ignored: keys of row objects that are dropped (a pipeline's label).
        check_bools: see `to_array`.

    Returns:
        `(arrays by input name, ROW or COLUMNAR)`.
    """
    signature = document.get("signature_name", "serving_default")
    if not isinstance(signature, str):
        raise invalid_argument(
            f"JSON Value: {_short(document)} not formatted correctly. 'signature_name' key must be a string value."
        )
    if signature not in ("", "serving_default"):
        raise invalid_argument(f'Serving signature name: "{signature}" not found in signature def')
    has_instances, has_inputs = "instances" in document, "inputs" in document
    if has_instances and has_inputs:
        raise invalid_argument(
            f"JSON Value: {_short(document)} Not formatted correctly expecting only one of 'inputs' or 'instances' keys to exist "
        )
    if has_instances:
        return _parse_instances(document, inputs, ignored, check_bools), ROW
    if has_inputs:
        return _parse_inputs(document["inputs"], inputs, check_bools), COLUMNAR
    raise invalid_argument("Missing 'inputs' or 'instances' key")


def _parse_instances(document, inputs, ignored, check_bools=True):
    instances = document["instances"]
    if not isinstance(instances, list):
        raise invalid_argument(f"JSON Value: {_short(document)} Excepting 'instances' to be an list/array")
    if not instances:
        raise invalid_argument(f"JSON Value: {_short(document)} No values in 'instances' array")
    objects = isinstance(instances[0], dict) and not is_b64(instances[0])
    if not objects:
        if len(inputs) > 1:
            raise invalid_argument(
                "instances is a plain list, but expecting list of objects as multiple input tensors required as per tensorinfo_map"
            )
        for index, item in enumerate(instances):
            if isinstance(item, dict) and not is_b64(item):
                raise invalid_argument(f"Expecting value/list but got object at item {index} of input list")
        spec = next(iter(inputs.values()))
        return {spec.name: _with_context(lambda: to_array(instances, spec, check_bools=check_bools), "of 'instances' list")}
    names = set(inputs)
    columns: dict[str, list] = {name: [] for name in inputs}
    for index, item in enumerate(instances):
        if not isinstance(item, dict) or is_b64(item):
            raise invalid_argument(f"Expecting object but got list at item {index} of input list")
        keys = set(item) - ignored
        if keys != names:
            raise invalid_argument(
                f"Failed to process element: {index} of 'instances' list. JSON object: {_short(item)} keys must be "
                f"equal to: {','.join(sorted(names))}"
            )
        for name in inputs:
            columns[name].append(item[name])
    arrays = {}
    for name, spec in inputs.items():
        arrays[name] = _with_context(
            lambda name=name, spec=spec: to_array(columns[name], spec, check_bools=check_bools), f"key: {name} of 'instances' list"
        )
    return arrays


def _with_context(convert, where):
    from kerasverse.serving.errors import ServingError

    try:
        return convert()
    except ServingError as error:
        raise invalid_argument(f"Failed to process element {where}. Error: {error.message}") from None


def _parse_inputs(value, inputs, check_bools=True):
    if not isinstance(value, dict) or is_b64(value):
        if len(inputs) > 1:
            raise invalid_argument(
                "inputs is a plain value/list, but expecting an object as multiple input tensors required as per tensorinfo_map"
            )
        spec = next(iter(inputs.values()))
        return {spec.name: to_array(value, spec, check_bools=check_bools)}
    arrays = {}
    for name, spec in inputs.items():
        if name not in value:
            raise invalid_argument(f"Missing named input: {name} in 'inputs' object.")
        arrays[name] = to_array(value[name], spec, check_bools=check_bools)
    sizes = {len(a) for a in arrays.values()}
    if len(sizes) > 1:
        raise invalid_argument(f"All inputs must have the same batch size. Received sizes {sorted(sizes)} for {list(arrays)}.")
    return arrays


def _json_values(name: str, array: np.ndarray):
    if array.dtype.kind in "OSU":
        return _json_strings(name, array.tolist())
    return array.tolist()


def _json_strings(name, values):
    if isinstance(values, list):
        return [_json_strings(name, v) for v in values]
    if isinstance(values, bytes):
        if name.endswith("_bytes"):
            return {"b64": base64.b64encode(values).decode("ascii")}
        try:
            return values.decode("utf-8")
        except UnicodeDecodeError:
            return {"b64": base64.b64encode(values).decode("ascii")}
    return values


def format_predict(outputs: dict[str, np.ndarray], request_format: str) -> dict:
    """The `:predict` response: `{"predictions"}` for row requests, `{"outputs"}` for columnar ones."""
    if request_format == COLUMNAR:
        if len(outputs) == 1:
            name, array = next(iter(outputs.items()))
            return {"outputs": _json_values(name, array)}
        return {"outputs": {name: _json_values(name, array) for name, array in outputs.items()}}
    if len(outputs) == 1:
        name, array = next(iter(outputs.items()))
        return {"predictions": _json_values(name, array)}
    columns = {name: _json_values(name, array) for name, array in outputs.items()}
    size = len(next(iter(columns.values())))
    return {"predictions": [{name: column[i] for name, column in columns.items()} for i in range(size)]}
