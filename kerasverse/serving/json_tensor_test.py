import base64
import math

import numpy as np
import pytest

from kerasverse.serving import json_tensor
from kerasverse.serving.errors import ServingError
from kerasverse.serving.tensor_spec import TensorSpec

pytestmark = pytest.mark.host

IMAGE = {"x": TensorSpec("x", "float32", (None, 2))}
NAMED = {"a": TensorSpec("a", "float32", (None, 3)), "b": TensorSpec("b", "int32", (None,)), "s": TensorSpec("s", "string", (None,))}


def test_row_format_stacks_instances():
    arrays, request_format = json_tensor.parse_predict({"instances": [[1, 2], [3.5, 4]]}, IMAGE)
    assert request_format == json_tensor.ROW
    np.testing.assert_array_equal(arrays["x"], np.array([[1, 2], [3.5, 4]], "float32"))
    assert arrays["x"].dtype == np.float32


def test_named_rows_and_b64_strings():
    payload = base64.b64encode(b"\x00\xffbin").decode()
    document = {"instances": [{"a": [1, 2, 3], "b": 4, "s": "text"}, {"a": [0, 0, 1], "b": -1, "s": {"b64": payload}}]}
    arrays, _ = json_tensor.parse_predict(document, NAMED)
    assert arrays["b"].dtype == np.int32 and arrays["b"].tolist() == [4, -1]
    assert arrays["s"].tolist() == ["text", b"\x00\xffbin"]
    assert arrays["a"].shape == (2, 3)


def test_columnar_format_and_nan_infinity():
    document = json_tensor.loads(b'{"inputs": [[NaN, Infinity], [-Infinity, 1]]}')
    arrays, request_format = json_tensor.parse_predict(document, IMAGE)
    assert request_format == json_tensor.COLUMNAR
    x = arrays["x"]
    assert math.isnan(x[0, 0]) and x[0, 1] == np.inf and x[1, 0] == -np.inf
    written = json_tensor.dumps(json_tensor.format_predict({"y": x}, request_format))
    assert written == b'{"outputs":[[NaN,Infinity],[-Infinity,1.0]]}'


def test_row_response_with_several_outputs_is_one_object_per_row():
    outputs = {"score": np.array([[0.5], [1.0]]), "label": np.array([b"cat", b"dog"], dtype=object)}
    assert json_tensor.format_predict(outputs, json_tensor.ROW) == {
        "predictions": [{"score": [0.5], "label": "cat"}, {"score": [1.0], "label": "dog"}]
    }
    assert json_tensor.format_predict(outputs, json_tensor.COLUMNAR) == {
        "outputs": {"score": [[0.5], [1.0]], "label": ["cat", "dog"]}
    }


@pytest.mark.parametrize(
    "body, message",
    [
        (b"", "JSON Parse error: The document is empty"),
        (b"{", "JSON Parse error"),
        (b"[1, 2]", "Is not object"),
        (b"\xff\xfe", "JSON Parse error"),
        (b"[" * 100000 + b"]" * 100000, "JSON Parse error"),
    ],
)
def test_bad_json(body, message):
    with pytest.raises(ServingError, match=message) as info:
        json_tensor.loads(body)
    assert info.value.http_status == 400


@pytest.mark.parametrize(
    "document, inputs, message",
    [
        ({}, IMAGE, "Missing 'inputs' or 'instances' key"),
        ({"instances": [[1, 2]], "inputs": [[1, 2]]}, IMAGE, "expecting only one of 'inputs' or 'instances'"),
        ({"instances": {"x": 1}}, IMAGE, "Excepting 'instances' to be an list/array"),
        ({"instances": []}, IMAGE, "No values in 'instances' array"),
        ({"instances": [[1, "a"]]}, IMAGE, 'JSON Value: "a" Type: String is not of expected type: float32'),
        ({"instances": [[1, None]]}, IMAGE, "Type: Null is not of expected type"),
        ({"instances": [[1, True]]}, IMAGE, "Type: Bool is not of expected type"),
        ({"instances": [[1, 2], [3]]}, IMAGE, "same length"),
        ({"instances": [[1, 2, 3]]}, IMAGE, r"expects shape \[-1, 2\]"),
        ({"instances": [[[1, 2]]]}, IMAGE, r"received shape \[1, 1, 2\]"),
        ({"instances": [[1e39, 0]]}, IMAGE, "without loss of precision"),
        ({"instances": [[1, 2]], "signature_name": 3}, IMAGE, "'signature_name' key must be a string value"),
        ({"instances": [[1, 2]], "signature_name": "other"}, IMAGE, 'Serving signature name: "other" not found'),
        ({"instances": [[1, 2, 3]]}, NAMED, "instances is a plain list, but expecting list of objects"),
        ({"instances": [{"a": [1, 2, 3], "b": 1}]}, NAMED, "keys must be equal to: a,b,s"),
        ({"instances": [{"a": [1, 2, 3], "b": 1, "s": "x", "z": 0}]}, NAMED, "keys must be equal to"),
        ({"instances": [{"a": [1, 2, 3], "b": 1.5, "s": "x"}]}, NAMED, "Type: Number is not of expected type: int32"),
        ({"instances": [{"a": [1, 2, 3], "b": 2**40, "s": "x"}]}, NAMED, "does not fit int32"),
        ({"instances": [{"a": [1, 2, 3], "b": 1, "s": {"b64": "%%%"}}]}, NAMED, "Unable to base64 decode"),
        ({"instances": [{"a": [1, 2, 3], "b": 1, "s": {"b64": "QQ==", "x": 1}}]}, NAMED, "not formatted correctly for base64"),
        ({"inputs": {"a": [[1, 2, 3]], "b": [1]}}, NAMED, "Missing named input: s in 'inputs' object."),
        ({"inputs": [[1, 2, 3]]}, NAMED, "inputs is a plain value/list, but expecting an object"),
        ({"inputs": {"a": [[1, 2, 3]], "b": [1, 2], "s": ["x"]}}, NAMED, "same batch size"),
        ({"inputs": []}, IMAGE, r"received shape \[0\]"),
    ],
)
def test_bad_requests_say_what_is_wrong(document, inputs, message):
    with pytest.raises(ServingError, match=message) as info:
        json_tensor.parse_predict(document, inputs)
    assert info.value.http_status == 400
