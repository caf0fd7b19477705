"""`save_compressed` / `load_compressed`: a model file that keeps what pruning and clustering bought.

A `.keras` file stores every weight as dense float32, so a pruned or
clustered model is only smaller once the file is gzipped, and gzip sees
neither the zeros' structure nor the 16 shared values. This file format
stores each weight in the encoding its content allows:

| encoding | possible for | stored as | exact |
|---|---|---|---|
| `codebook4` | kernel with <= 16 distinct values (clustered) | the values + 4-bit indices | yes |
| `codebook8` | kernel with <= 256 distinct values | the values + 8-bit indices | yes |
| `sparse` | kernel, float | bitmap of the non-zeros + the non-zero values | yes |
| `int8_sparse` | kernel, `quantize="int8"` | bitmap of the non-zeros + int8 non-zeros + a step per output channel | zeros yes, others to step / 2 |
| `int8` | kernel, `quantize="int8"` | int8 + a step per output channel | to step / 2 |
| `int4` | kernel whose values lie on a symmetric 4-bit grid (4-bit QAT after `strip_qat`) | two 4-bit levels per byte + a float32 step per output channel | to float32 rounding |
| `raw` | anything (always for biases and integer state) | the array's bytes | yes |

Each kernel takes the encoding that stores it in the fewest bytes (so a
pruned kernel becomes `sparse` or `int8_sparse`, a clustered one
`codebook4`); with `quantize="int8"`, `raw` is not a candidate for kernels
and a kernel of at most 16 distinct values stays `codebook4`.
"Kernel" is any floating weight of rank >= 2, stored channel-major (the
last axis is the output channel). int8 steps are symmetric per output
channel, `max |w| / 127` like the LiteRT int8 exporter, stored as float16
rounded up where that is exact to 0.1 % (float32 otherwise); values are
quantized with the stored step.

File layout (version 2):

| bytes | content |
|---|---|
| 4 | `b"KVZ"` and the version byte `2` |
| 4 | little-endian length N of the header |
| N | the header: JSON (Keras version, `quantize`, the codec of the weights, one `[encoding, dtype, shape, ...]` per weight, the model config), raw deflate with a preset dictionary of Keras config words |
| rest | the weights: every weight's parts grouped by kind (all bitmaps, then all indices, values, codebooks, steps, raw arrays), compressed with LZMA (`.lzma` stream) or deflate, whichever is smaller |

The model config leaves out layer arguments at their default value and the
compile config (see `_compact_config`); the optimizer state is not stored
(like `include_optimizer=False`). `load_compressed` returns an uncompiled
Keras model with dense weights, which every kerasverse exporter takes; it
also reads the version-1 files (a zip of `metadata.json`, `config.json`
and `weights.bin`) that kerasverse wrote before.
"""

import json
import lzma
import struct
import zipfile
import zlib

import keras
import numpy as np

from kerasverse.optimize import _compact_config
from kerasverse.optimize import _weight_encoding

FORMAT_NAME = "kerasverse.optimize.compressed"
FORMAT_VERSION = 2
_MAGIC = b"KVZ"
_QUANTIZE_OPTIONS = (None, "int8")
# Words every serialized Keras model repeats. A preset dictionary lets the
# deflated header refer to them from the first occurrence on; it is part of
# format version 2 and must never change.
_HEADER_DICTIONARY = (
    b'{"module":"keras","class_name":"Sequential","config":{"name":"sequential","trainable":true,"layers":['
    b'{"module":"keras.src.models.functional","class_name":"Functional","config":{"name":"functional",'
    b'"trainable":true,"layers":[{"module":"keras.layers","class_name":"InputLayer","config":{"batch_shape":'
    b'[null,"dtype":{"module":"keras","class_name":"DTypePolicy","config":{"name":"float32"},'
    b'"registered_name":null},"registered_name":null,"build_config":{"input_shape":[null,'
    b'"inbound_nodes":[{"args":[{"class_name":"__keras_tensor__","config":{"shape":[null,'
    b'"dtype":"float32","keras_history":["",0,0]}}],"kwargs":{}}]},{"module":"keras.layers","class_name":"'
    b'"input_layers":[["",0,0]],"output_layers":[["",0,0]]},"registered_name":"Functional"}'
)
# LZMA with no literal context (lc=0) and no position bits: weights are
# not text, and these settings compress them best on every model measured.
_LZMA_FILTER = {"id": lzma.FILTER_LZMA1, "preset": 9 | lzma.PRESET_EXTREME, "lc": 0, "lp": 0, "pb": 0}
_LZMA_MAX_DICTIONARY = 1 << 24  # 16 MiB: about 190 MiB to compress, like `xz -7`.


def save_compressed(model, filepath, quantize=None):
    """Saves `model` with pruned and clustered weights stored compactly.

    Args:
        model: a built `keras.Model` (strip pruning/clustering wrappers
            first with `strip_pruning` / `strip_clustering` to store the
            plain layers).
        filepath: destination path (by convention `.kvz`).
        quantize: None (lossless: clustered kernels as codebook + indices,
            pruned kernels as bitmap + non-zeros) or `"int8"` (kernels that
            are not clustered become per-channel int8; zeros stay exact,
            other values move by at most half a quantization step).

    Returns:
        A dict mapping each weight path to the encoding used.

    Example:

    ```python
    import keras
    from kerasverse import optimize

    model = keras.Sequential([keras.Input((64,)), keras.layers.Dense(10)])
    clustered = optimize.clustering.cluster_weights(model, number_of_clusters=16)
    stripped = optimize.clustering.strip_clustering(clustered)
    optimize.save_compressed(stripped, "/tmp/clustered.kvz")
    restored = optimize.load_compressed("/tmp/clustered.kvz")
    ```
    """
    if not isinstance(model, keras.Model):
        raise TypeError(
            f"`save_compressed` expects a keras.Model. Received: {type(model).__name__}. "
            "Wrap a layer in a keras.Model first."
        )
    if not model.built:
        raise ValueError(
            f"Model {model.name!r} is not built, so it has no weights to save. Received an unbuilt model. "
            "Call it on data or call `model.build(input_shape)` first."
        )
    if quantize not in _QUANTIZE_OPTIONS:
        raise ValueError(f"`quantize` must be one of {_QUANTIZE_OPTIONS}. Received: quantize={quantize!r}")
    entries, all_parts = [], []
    for variable in model.weights:
        entry, parts = _weight_encoding.encode(np.asarray(keras.ops.convert_to_numpy(variable.value)), quantize)
        entries.append(entry)
        all_parts.append(parts)
    blob = b"".join(
        np.ascontiguousarray(parts[name]).tobytes()
        for name in _weight_encoding.PART_ORDER
        for parts in all_parts
        if name in parts
    )
    codec, weights = _compress_weights(blob)
    header = {
        "keras_version": keras.__version__,
        "quantize": quantize,
        "codec": codec,
        "weights": entries,
        "config": _compact_config.compact_config(model),
    }
    header = _deflate(json.dumps(header, separators=(",", ":")).encode())
    with open(filepath, "wb") as file:
        file.write(_MAGIC + bytes([FORMAT_VERSION]) + struct.pack("<I", len(header)) + header + weights)
    return {variable.path: entry[0] for variable, entry in zip(model.weights, entries)}


def load_compressed(filepath, custom_objects=None):
    """Loads a model written by `save_compressed`.

    Args:
        filepath: path of the file.
        custom_objects: passed to Keras deserialization, for models with
            custom layers.

    Returns:
        An uncompiled `keras.Model` with dense weights (int8-stored kernels
        dequantized to their original dtype).
    """
    import kerasverse.optimize.clustering  # noqa: F401  (registers the wrapper classes)
    import kerasverse.optimize.quantization  # noqa: F401
    import kerasverse.optimize.sparsity  # noqa: F401

    try:
        with open(filepath, "rb") as file:
            data = file.read()
    except (FileNotFoundError, IsADirectoryError):
        raise ValueError(f"No compressed model file at {str(filepath)!r}. Pass the path `save_compressed` wrote.") from None
    if data[:2] == b"PK":
        config, weights = _read_version_1(filepath)
    elif data[:3] == _MAGIC:
        config, weights = _read_version_2(filepath, data)
    else:
        raise ValueError(
            f"{str(filepath)!r} is not a compressed model file (it starts with neither {_MAGIC!r} nor a zip "
            f"signature). Received first bytes: {data[:4]!r}. Pass a file written by `kerasverse.optimize.save_compressed`."
        )
    model = keras.saving.deserialize_keras_object(config, custom_objects=custom_objects)
    if len(model.weights) != len(weights):
        raise ValueError(
            f"The rebuilt model has {len(model.weights)} weights but the file stores {len(weights)}. "
            "Pass the `custom_objects` the model was saved with."
        )
    for variable, value in zip(model.weights, weights):
        if tuple(variable.shape) != value.shape:
            raise ValueError(
                f"A weight has shape {value.shape} in the file but {tuple(variable.shape)} in the rebuilt "
                f"model ({variable.path!r}). The file does not match its config."
            )
        variable.assign(value)
    return model


def _compress_weights(blob):
    """`(codec, bytes)`: LZMA or raw deflate, whichever is smaller."""
    dictionary_size = min(max(4096, 1 << max(len(blob) - 1, 1).bit_length()), _LZMA_MAX_DICTIONARY)
    candidates = {
        "lzma": lzma.compress(blob, format=lzma.FORMAT_ALONE, filters=[{**_LZMA_FILTER, "dict_size": dictionary_size}]),
        "deflate": _deflate(blob, dictionary=None),
    }
    codec = min(candidates, key=lambda name: len(candidates[name]))
    return codec, candidates[codec]


def _deflate(data, dictionary=_HEADER_DICTIONARY):
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15, 9, zlib.Z_DEFAULT_STRATEGY, *([dictionary] if dictionary else []))
    return compressor.compress(data) + compressor.flush()


def _inflate(data, dictionary=_HEADER_DICTIONARY):
    decompressor = zlib.decompressobj(-15, *([dictionary] if dictionary else []))
    result = decompressor.decompress(data) + decompressor.flush()
    if not decompressor.eof:
        raise EOFError("the deflate stream ends early")
    return result


def _read_version_2(filepath, data):
    """`(config, weights)` of a version-2 file, the weights as dense numpy arrays."""
    name = str(filepath)
    version = data[3] if len(data) > 3 else None
    if version != FORMAT_VERSION:
        raise ValueError(
            f"{name!r} is not a version-{FORMAT_VERSION} compressed model file; this kerasverse reads versions 1 "
            f"and {FORMAT_VERSION}. Received: version={version}. Save the model again or update kerasverse."
        )
    try:
        (header_size,) = struct.unpack_from("<I", data, 4)
        header = json.loads(_inflate(data[8 : 8 + header_size]))
        codec = header["codec"]
        weights = data[8 + header_size :]
        if codec == "lzma":
            blob = lzma.decompress(weights, format=lzma.FORMAT_ALONE)
        elif codec == "deflate":
            blob = _inflate(weights, dictionary=None)
        else:
            raise ValueError(f"Unknown weights codec {codec!r} in {name!r}: the file is newer than this kerasverse.")
        entries, config = header["weights"], header["config"]
    except (struct.error, zlib.error, lzma.LZMAError, EOFError, json.JSONDecodeError, KeyError, TypeError) as error:
        raise ValueError(
            f"{name!r} is truncated or corrupted ({type(error).__name__}: {error}). Save the model again with `save_compressed`."
        ) from None
    unknown = sorted({entry[0] for entry in entries} - set(_weight_encoding.ENCODING_PARTS))
    if unknown:
        raise ValueError(f"{name!r} uses weight encodings {unknown} that this kerasverse does not know: the file is newer.")
    all_parts = [{} for _ in entries]
    offset = 0
    for part in _weight_encoding.PART_ORDER:
        for entry, parts in zip(entries, all_parts):
            if part not in _weight_encoding.ENCODING_PARTS[entry[0]]:
                continue
            dtype, count = _weight_encoding.part_layout(entry, part, parts)
            if offset + count * dtype.itemsize > len(blob):
                raise ValueError(f"{name!r} is truncated: its weights end before the {part} of a {tuple(entry[2])} weight.")
            parts[part] = np.frombuffer(blob, dtype=dtype, count=count, offset=offset)
            offset += count * dtype.itemsize
    if offset != len(blob):
        raise ValueError(f"{name!r} is corrupted: {len(blob) - offset} bytes follow the last weight. Save the model again.")
    return config, [_weight_encoding.decode(entry[0], entry[2], entry[1], parts) for entry, parts in zip(entries, all_parts)]


def _read_version_1(filepath):
    """`(config, weights)` of a version-1 file (a zip, row-major kernels)."""
    name = str(filepath)
    try:
        archive = zipfile.ZipFile(filepath)
    except zipfile.BadZipFile:
        raise ValueError(
            f"{name!r} is not a compressed model file (not a zip archive). "
            "Pass a file written by `kerasverse.optimize.save_compressed`."
        ) from None
    with archive:
        names = set(archive.namelist())
        missing = sorted({"metadata.json", "config.json", "weights.bin"} - names)
        if missing:
            raise ValueError(
                f"{name!r} is not a complete compressed model file: it lacks {missing}. "
                f"Received members: {sorted(names)}. Save it again with `save_compressed`."
            )
        try:
            metadata = json.loads(archive.read("metadata.json"))
            config = json.loads(archive.read("config.json"))
            blob = archive.read("weights.bin")
        except (zipfile.BadZipFile, json.JSONDecodeError, OSError) as error:
            raise ValueError(f"{name!r} is corrupted ({error}). Save the model again with `save_compressed`.") from None
    if metadata.get("format") != FORMAT_NAME or metadata.get("version") != 1:
        raise ValueError(
            f"{name!r} is not a version-1 {FORMAT_NAME} file. "
            f"Received: format={metadata.get('format')!r}, version={metadata.get('version')!r}."
        )
    weights = []
    for entry in metadata["weights"]:
        parts = {}
        for part, layout in entry["parts"].items():
            dtype = np.dtype(layout["dtype"])
            if layout["offset"] + layout["size"] * dtype.itemsize > len(blob):
                raise ValueError(f"{name!r} is truncated: weight {entry['path']!r} runs past the end of weights.bin.")
            parts[part] = np.frombuffer(blob, dtype=dtype, count=layout["size"], offset=layout["offset"])
        weights.append(_weight_encoding.decode(entry["encoding"], entry["shape"], entry["dtype"], parts, channel_major=False))
    return config, weights
