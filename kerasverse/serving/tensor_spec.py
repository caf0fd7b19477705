"""`TensorSpec`: a named input or output of a served model, with TF Serving's and KServe's type names."""

import dataclasses

import numpy as np

# numpy/Keras dtype name -> (TF `DataType` enum name, KServe v2 datatype).
DTYPES = {
    "float32": ("DT_FLOAT", "FP32"),
    "float64": ("DT_DOUBLE", "FP64"),
    "float16": ("DT_HALF", "FP16"),
    "bfloat16": ("DT_BFLOAT16", "BF16"),
    "int8": ("DT_INT8", "INT8"),
    "int16": ("DT_INT16", "INT16"),
    "int32": ("DT_INT32", "INT32"),
    "int64": ("DT_INT64", "INT64"),
    "uint8": ("DT_UINT8", "UINT8"),
    "uint16": ("DT_UINT16", "UINT16"),
    "uint32": ("DT_UINT32", "UINT32"),
    "uint64": ("DT_UINT64", "UINT64"),
    "bool": ("DT_BOOL", "BOOL"),
    "string": ("DT_STRING", "BYTES"),
}
KSERVE_TO_DTYPE = {kserve: name for name, (_, kserve) in DTYPES.items()}


@dataclasses.dataclass(frozen=True)
class TensorSpec:
    """A named tensor of a model's signature.

    Args:
        name: the input or output name (the key in named requests).
        dtype: a numpy dtype name (`"float32"`, `"int64"`, ...) or `"string"`.
        shape: the shape, batch first, `None` for a dimension of any size.

    Example:

    >>> spec = TensorSpec("x", "float32", (None, 8, 8, 1))
    >>> spec.tf_dtype, spec.kserve_dtype, spec.signature_shape
    ('DT_FLOAT', 'FP32', [-1, 8, 8, 1])
    """

    name: str
    dtype: str
    shape: tuple

    def __post_init__(self):
        if self.dtype not in DTYPES:
            raise ValueError(
                f"Unsupported dtype for a served tensor. Received: dtype={self.dtype!r} for {self.name!r}; "
                f"expected one of {sorted(DTYPES)}."
            )

    @property
    def tf_dtype(self) -> str:
        return DTYPES[self.dtype][0]

    @property
    def kserve_dtype(self) -> str:
        return DTYPES[self.dtype][1]

    @property
    def signature_shape(self) -> list[int]:
        """The shape with -1 for unknown dimensions (TF Serving's and KServe's convention)."""
        return [-1 if size is None else int(size) for size in self.shape]

    @property
    def numpy_dtype(self):
        return np.dtype(object) if self.dtype == "string" else np.dtype(self.dtype)


def dtype_name(dtype) -> str:
    """The `DTYPES` key of a numpy/Keras/torch dtype (`"string"` for text and bytes)."""
    name = str(getattr(dtype, "name", dtype)).replace("torch.", "")
    if name in ("str", "object", "bytes") or name.startswith(("<U", "<S", "|S", "|O")):
        return "string"
    if name in DTYPES:
        return name
    kind = np.dtype(name).kind if name not in ("string",) else "O"
    if kind in "USO":
        return "string"
    return np.dtype(name).name
