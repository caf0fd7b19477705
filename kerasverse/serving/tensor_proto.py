"""numpy arrays to and from TensorFlow's `TensorProto` (the tensors of TF Serving's gRPC API), without TensorFlow.

Decoding follows TensorFlow's rules: values come either as little-endian
`tensor_content` bytes or in the typed field of the dtype (`float_val`,
`int_val` for the small integer types, `half_val` bit patterns for float16
and bfloat16, ...); a typed field with fewer values than the shape holds is
filled with its last value (one value broadcasts), as `tf.make_ndarray` and
TF's `Tensor::FromProto` do. Encoding uses the typed fields, as TF Serving's
default (`AsProtoField`) does, or `tensor_content` when asked.

Example:

>>> import numpy as np
>>> proto = from_numpy(np.array([[1.5, 2.0]], dtype="float32"))
>>> list(proto.float_val), [d.size for d in proto.tensor_shape.dim]
([1.5, 2.0], [1, 2])
>>> to_numpy(proto).tolist()
[[1.5, 2.0]]
"""

import numpy as np

from kerasverse.serving import tf_serving_protos as pb
from kerasverse.serving.errors import invalid_argument

# DataType enum name -> (numpy dtype name, the typed field holding its values).
_TYPES = {
    "DT_FLOAT": ("float32", "float_val"),
    "DT_DOUBLE": ("float64", "double_val"),
    "DT_HALF": ("float16", "half_val"),
    "DT_BFLOAT16": ("bfloat16", "half_val"),
    "DT_INT8": ("int8", "int_val"),
    "DT_INT16": ("int16", "int_val"),
    "DT_INT32": ("int32", "int_val"),
    "DT_INT64": ("int64", "int64_val"),
    "DT_UINT8": ("uint8", "int_val"),
    "DT_UINT16": ("uint16", "int_val"),
    "DT_UINT32": ("uint32", "uint32_val"),
    "DT_UINT64": ("uint64", "uint64_val"),
    "DT_BOOL": ("bool", "bool_val"),
    "DT_STRING": ("string", "string_val"),
}
_BY_NUMPY = {numpy_name: tf_name for tf_name, (numpy_name, _) in _TYPES.items()}


def _numpy_dtype(name: str) -> np.dtype:
    if name == "bfloat16":
        import ml_dtypes  # Comes with JAX and Keras; only bfloat16 tensors need it.

        return np.dtype(ml_dtypes.bfloat16)
    return np.dtype(object) if name == "string" else np.dtype(name)


def dtype_name(proto) -> str:
    """The numpy dtype name (`"string"` for DT_STRING) of a `TensorProto`, or INVALID_ARGUMENT."""
    enum_name = pb.DATA_TYPE.values_by_number.get(proto.dtype)
    enum_name = enum_name.name if enum_name is not None else f"DataType {proto.dtype}"
    if enum_name not in _TYPES:
        raise invalid_argument(f"Unsupported tensor dtype {enum_name}: send one of {', '.join(_TYPES)}.")
    return _TYPES[enum_name][0]


def to_numpy(proto, max_bytes: int = 1 << 30) -> np.ndarray:
    """Decodes a `TensorProto` (strings become an object array of `bytes`).

    Args:
        proto: a `TensorProto` (ours, or any message with TensorFlow's fields).
        max_bytes: refuse tensors larger than this once decoded (one value
            may broadcast to a huge shape).

    Raises:
        ServingError: INVALID_ARGUMENT for an unknown dtype, a bad shape, or
            a value count that does not fit the shape.
    """
    name = dtype_name(proto)
    dtype = _numpy_dtype(name)
    if proto.tensor_shape.unknown_rank:
        raise invalid_argument("A tensor of unknown rank cannot be fed: give tensor_shape its dims.")
    shape = tuple(int(d.size) for d in proto.tensor_shape.dim)
    if any(size < 0 for size in shape):
        raise invalid_argument(f"Tensor shape dims must be >= 0. Received: {list(shape)}")
    count = int(np.prod(shape, dtype=np.float64)) if shape else 1
    itemsize = 8 if name == "string" else dtype.itemsize
    if count * itemsize > max_bytes:
        raise invalid_argument(f"Tensor of shape {list(shape)} ({count} values) exceeds the limit of {max_bytes} bytes.")
    if proto.tensor_content:
        if name == "string":
            raise invalid_argument("DT_STRING tensors must use string_val, not tensor_content.")
        content = proto.tensor_content
        if len(content) != count * dtype.itemsize:
            raise invalid_argument(
                f"tensor_content holds {len(content)} bytes; shape {list(shape)} of {name} needs {count * dtype.itemsize}."
            )
        return np.frombuffer(content, dtype=dtype.newbyteorder("<")).astype(dtype).reshape(shape)
    field = _TYPES[pb.DATA_TYPE.values_by_number[proto.dtype].name][1]
    values = getattr(proto, field)
    if len(values) > count:
        raise invalid_argument(f"{field} holds {len(values)} values; shape {list(shape)} holds {count}.")
    if name == "string":
        array = np.empty(count, dtype=object)
        array[: len(values)] = list(values)
        if 0 < len(values) < count:
            array[len(values):] = values[-1]
        elif not values:
            array[:] = b""
        return array.reshape(shape)
    if field == "half_val":
        flat = np.asarray(values, dtype=np.int64).astype(np.uint16).view(dtype)
    else:
        flat = np.asarray(values, dtype=dtype) if len(values) else np.zeros(0, dtype=dtype)
    if len(flat) < count:
        fill = flat[-1] if len(flat) else np.zeros((), dtype=dtype)
        flat = np.concatenate([flat, np.full(count - len(flat), fill, dtype=dtype)])
    return flat.reshape(shape)


def from_numpy(array, use_tensor_content: bool = False, proto=None):
    """Encodes an array as a `TensorProto` (str and bytes arrays as DT_STRING).

    Args:
        array: a numpy array (or anything `np.asarray` takes).
        use_tensor_content: numeric values as `tensor_content` bytes instead
            of the typed field (smaller and faster; every TF client reads both).
        proto: a `TensorProto` to fill (e.g. a map entry), or None for a new one.
    """
    array = np.asarray(array)
    kind = array.dtype.kind
    name = "string" if kind in "OSU" else ("bfloat16" if array.dtype.name == "bfloat16" else array.dtype.name)
    if name not in _BY_NUMPY:
        raise ValueError(f"Cannot encode a {array.dtype} array as a TensorProto; expected one of {sorted(_BY_NUMPY)}.")
    proto = pb.TensorProto() if proto is None else proto
    tf_name = _BY_NUMPY[name]
    proto.dtype = pb.DATA_TYPE.values_by_name[tf_name].number
    for size in array.shape:
        proto.tensor_shape.dim.add().size = size
    field = _TYPES[tf_name][1]
    if name == "string":
        proto.string_val.extend(v if isinstance(v, bytes) else str(v).encode("utf-8") for v in array.reshape(-1).tolist())
    elif use_tensor_content:
        proto.tensor_content = np.ascontiguousarray(array, dtype=array.dtype.newbyteorder("<")).tobytes()
    elif field == "half_val":
        proto.half_val.extend(array.reshape(-1).view(np.uint16).astype(np.int32).tolist())
    else:
        proto.MergeFrom(pb.TensorProto(**{field: array.reshape(-1).tolist()}))
    return proto
