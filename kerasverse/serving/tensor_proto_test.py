"""`tensor_proto`: numpy <-> TensorProto, checked against TensorFlow's own encoder and decoder (in a subprocess)."""

import base64
import importlib.util
import json
import os
import subprocess
import sys

import numpy as np
import pytest

from kerasverse.serving import tensor_proto
from kerasverse.serving import tf_serving_protos as pb
from kerasverse.serving.errors import ServingError

pytestmark = pytest.mark.host

_ARRAYS = {
    "float32": np.array([[1.5, -2.25, np.inf], [0.0, 3.0e38, -1e-30]], dtype="float32"),
    "float64": np.array([1e300, -0.5], dtype="float64"),
    "float16": np.array([[0.5, -65504.0]], dtype="float16"),
    "int8": np.array([-128, 127], dtype="int8"),
    "uint8": np.array([[0, 255]], dtype="uint8"),
    "int16": np.array([-32768, 7], dtype="int16"),
    "int32": np.array([[-(2**31), 2**31 - 1]], dtype="int32"),
    "int64": np.array([-(2**63), 2**63 - 1], dtype="int64"),
    "uint16": np.array([65535], dtype="uint16"),
    "uint32": np.array([2**32 - 1], dtype="uint32"),
    "uint64": np.array([2**64 - 1], dtype="uint64"),
    "bool": np.array([[True, False, True]]),
    "string": np.array([[b"caf\xc3\xa9", b"\xff\x00"]], dtype=object),
}

# Runs in a fresh interpreter: TensorFlow is the oracle and must not be imported by the tests' process.
_ORACLE = r"""
import base64, json, sys
import numpy as np
from tensorflow.core.framework import tensor_pb2
import tensorflow as tf
job = json.load(sys.stdin)
made = {}
for name, (values, dtype) in job["arrays"].items():
    array = np.array([base64.b64decode(v) for v in values], dtype=object) if dtype == "string" else np.array(values, dtype=dtype)
    made[name] = base64.b64encode(tf.make_tensor_proto(array.reshape(job["shapes"][name])).SerializeToString()).decode()
made["broadcast"] = base64.b64encode(tf.make_tensor_proto(7, dtype=tf.int32, shape=[2, 3]).SerializeToString()).decode()
read = {}
for name, encoded in job["ours"].items():
    value = tf.make_ndarray(tensor_pb2.TensorProto.FromString(base64.b64decode(encoded)))
    read[name] = [str(value.dtype), list(value.shape), [base64.b64encode(v).decode() for v in value.reshape(-1).tolist()]
                  if value.dtype == object else value.reshape(-1).astype("float64" if value.dtype.kind == "f" else value.dtype).tolist()]
json.dump({"made": made, "read": read}, sys.stdout)
"""


def _values(array):
    if array.dtype == object:
        return [base64.b64encode(v).decode() for v in array.reshape(-1)]
    return array.reshape(-1).tolist()


def test_round_trip_through_our_messages():
    for name, array in _ARRAYS.items():
        for content in (False, True):
            if name == "string" and content:
                continue
            wire = tensor_proto.from_numpy(array, use_tensor_content=content).SerializeToString()
            decoded = tensor_proto.to_numpy(pb.TensorProto.FromString(wire))
            assert decoded.shape == array.shape
            np.testing.assert_array_equal(decoded, array, err_msg=name)


def test_one_value_broadcasts_and_bad_tensors_are_refused():
    proto = pb.TensorProto(dtype=pb.DATA_TYPE.values_by_name["DT_FLOAT"].number, float_val=[2.5])
    proto.tensor_shape.dim.add().size = 2
    proto.tensor_shape.dim.add().size = 2
    np.testing.assert_array_equal(tensor_proto.to_numpy(proto), np.full((2, 2), 2.5, dtype="float32"))
    proto.float_val.extend([1.0] * 4)
    with pytest.raises(ServingError, match="holds 5 values"):
        tensor_proto.to_numpy(proto)
    huge = pb.TensorProto(dtype=1, float_val=[0.0])
    huge.tensor_shape.dim.add().size = 1 << 40
    with pytest.raises(ServingError, match="exceeds the limit"):
        tensor_proto.to_numpy(huge)
    with pytest.raises(ServingError, match="Unsupported tensor dtype DT_RESOURCE"):
        tensor_proto.to_numpy(pb.TensorProto(dtype=20))
    short = pb.TensorProto(dtype=1, tensor_content=b"\0" * 6)
    short.tensor_shape.dim.add().size = 2
    with pytest.raises(ServingError, match="tensor_content holds 6 bytes"):
        tensor_proto.to_numpy(short)


# Slow: the subprocess imports all of TensorFlow (~7 s of CPU, ~30 s on a loaded 2-core machine);
# `make_tensor_proto`/`make_ndarray` are the only independent record of which field holds which dtype.
@pytest.mark.slow
@pytest.mark.skipif(importlib.util.find_spec("tensorflow") is None, reason="TensorFlow (the [litert] extra) is the oracle")
def test_wire_compatible_with_tensorflow_both_ways():
    """TF's `make_tensor_proto` bytes decode with ours; ours decode with TF's `make_ndarray`."""
    ours = {}
    for name, array in _ARRAYS.items():
        ours[name] = base64.b64encode(tensor_proto.from_numpy(array).SerializeToString()).decode()
        if name != "string":
            ours[name + "/content"] = base64.b64encode(tensor_proto.from_numpy(array, use_tensor_content=True).SerializeToString()).decode()
    job = {
        "arrays": {name: (_values(a), "string" if a.dtype == object else a.dtype.name) for name, a in _ARRAYS.items()},
        "shapes": {name: list(a.shape) for name, a in _ARRAYS.items()},
        "ours": ours,
    }
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "CUDA_VISIBLE_DEVICES": ""}
    done = subprocess.run([sys.executable, "-c", _ORACLE], input=json.dumps(job), capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    answer = json.loads(done.stdout)
    for name, array in _ARRAYS.items():
        decoded = tensor_proto.to_numpy(pb.TensorProto.FromString(base64.b64decode(answer["made"][name])))
        assert decoded.shape == array.shape, name
        np.testing.assert_array_equal(decoded, array, err_msg=f"TF -> ours: {name}")
    np.testing.assert_array_equal(
        tensor_proto.to_numpy(pb.TensorProto.FromString(base64.b64decode(answer["made"]["broadcast"]))), np.full((2, 3), 7, "int32")
    )
    for key, (dtype, shape, values) in answer["read"].items():
        array = _ARRAYS[key.split("/")[0]]
        assert shape == list(array.shape), key
        assert dtype == ("object" if array.dtype == object else array.dtype.name), key
        assert values == _values(array) if array.dtype == object else np.array_equal(np.array(values, dtype=array.dtype), array.reshape(-1)), key
