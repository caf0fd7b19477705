"""The TF.js weights manifest: `groupN-shardKofM.bin` files and their index.

All weights form one group, concatenated in manifest order and cut into
shards of at most `shard_size_bytes` (a weight may straddle two shards; tfjs
joins a group's shards before slicing weights out).
"""

import os

import numpy as np

from kerasverse.export.tfjs import quantization as quantization_lib

_DTYPES = {"float32": np.dtype("<f4"), "int32": np.dtype("<i4"), "bool": np.dtype("u1")}


def write_weights(named_arrays, directory, quantize=None, shard_size_bytes=4 * 1024 * 1024):
    """Writes the shard files and returns the `weightsManifest` list.

    Args:
        named_arrays: list of `(name, numpy array)`.
        directory: where the `group1-shard*of*.bin` files go.
        quantize: None or one of `quantization.QUANTIZE_DTYPES`.
        shard_size_bytes: the largest shard, in bytes.
    """
    entries, chunks = [], []
    for name, array in named_arrays:
        array = np.asarray(array)
        dtype = _manifest_dtype(array.dtype, name)
        entry = {"name": name, "shape": [int(d) for d in array.shape], "dtype": dtype}
        if quantize is not None and dtype == "float32":
            array, entry["quantization"] = quantization_lib.quantize(array, quantize)
        else:
            array = array.astype(_DTYPES[dtype])
        entries.append(entry)
        chunks.append(np.ascontiguousarray(array).tobytes())
    data = b"".join(chunks)
    count = max(1, -(-len(data) // shard_size_bytes))
    paths = []
    for index in range(count):
        path = f"group1-shard{index + 1}of{count}.bin"
        with open(os.path.join(directory, path), "wb") as file:
            file.write(data[index * shard_size_bytes : (index + 1) * shard_size_bytes])
        paths.append(path)
    return [{"paths": paths, "weights": entries}]


def read_weights(manifest, directory):
    """Reads every weight of a `weightsManifest` back as float32/int32 arrays.

    Returns:
        A dict `{name: numpy array}`.
    """
    weights = {}
    for group in manifest:
        data = b"".join(_read(os.path.join(directory, path)) for path in group["paths"])
        offset = 0
        for entry in group["weights"]:
            quantization = entry.get("quantization")
            dtype = quantization_lib.storage_dtype(quantization) if quantization else _DTYPES.get(entry["dtype"])
            if dtype is None:
                raise ValueError(f"Weight `{entry['name']}` has dtype {entry['dtype']!r}; expected one of {sorted(_DTYPES)}.")
            size = int(np.prod(entry["shape"], dtype=np.int64)) * dtype.itemsize
            if offset + size > len(data):
                raise ValueError(
                    f"The weight files {group['paths']} in {directory} hold {len(data)} bytes, fewer than the "
                    f"manifest describes (weight `{entry['name']}` ends at byte {offset + size}): they are truncated or corrupted."
                )
            array = np.frombuffer(data, dtype=dtype, count=size // dtype.itemsize, offset=offset).reshape(entry["shape"])
            offset += size
            if quantization:
                array = quantization_lib.dequantize(array, quantization)
            weights[entry["name"]] = array.astype(_DTYPES[entry["dtype"]].newbyteorder("="))
    return weights


def _read(path):
    if not os.path.exists(path):
        raise FileNotFoundError(f"The weights manifest lists {os.path.basename(path)}, which is missing from {os.path.dirname(path)}.")
    with open(path, "rb") as file:
        return file.read()


def _manifest_dtype(dtype, name):
    dtype = np.dtype(dtype)
    if dtype.kind == "f":
        return "float32"
    if dtype.kind in "iu":
        return "int32"
    if dtype.kind == "b":
        return "bool"
    raise ValueError(f"Weight `{name}` has dtype {dtype}, which TF.js cannot store. Expected a float, int or bool weight.")
