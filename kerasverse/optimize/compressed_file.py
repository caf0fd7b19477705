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
| `int8_sparse` | kernel, `quantize="int8"` | bitmap of the non-zeros + int8 non-zeros + a scale per output channel | zeros yes, others to scale / 2 |
| `int8` | kernel, `quantize="int8"` | int8 + a scale per output channel | to scale / 2 |
| `raw` | anything (always for biases and integer state) | the array's bytes | yes |

Each kernel takes the encoding that stores it in the fewest bytes (so a
pruned kernel becomes `sparse` or `int8_sparse`, a clustered one
`codebook4`; with `quantize="int8"`, `raw` is not a candidate for kernels).

"Kernel" is any floating weight of rank >= 2; int8 scales are symmetric
per output channel (the last axis), like the LiteRT int8 exporter. The file
is a zip (deflate level 9) of `config.json` (the Keras model config),
`metadata.json` (shape, dtype and encoding of every weight) and
`weights.bin`. The optimizer state is not stored (like
`include_optimizer=False`); `load_compressed` returns an uncompiled Keras
model with dense weights, which every kerasverse exporter takes.
"""

import io
import json
import zipfile

import keras
import numpy as np

FORMAT_NAME = "kerasverse.optimize.compressed"
FORMAT_VERSION = 1
_QUANTIZE_OPTIONS = (None, "int8")


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
    config = keras.saving.serialize_keras_object(model)
    blob = io.BytesIO()
    entries = []
    for variable in model.weights:
        value = np.asarray(keras.ops.convert_to_numpy(variable.value))
        encoding, parts = _encode(value, quantize)
        entry = {"path": variable.path, "shape": list(value.shape), "dtype": value.dtype.name, "encoding": encoding, "parts": {}}
        for name, array in parts.items():
            array = np.ascontiguousarray(array)
            entry["parts"][name] = {"offset": blob.tell(), "dtype": array.dtype.name, "size": int(array.size)}
            blob.write(array.tobytes())
        entries.append(entry)
    metadata = {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "keras_version": keras.__version__,
        "quantize": quantize,
        "weights": entries,
    }
    with zipfile.ZipFile(filepath, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("metadata.json", json.dumps(metadata))
        archive.writestr("config.json", json.dumps(config))
        archive.writestr("weights.bin", blob.getvalue())
    return {entry["path"]: entry["encoding"] for entry in entries}


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
        archive = zipfile.ZipFile(filepath)
    except FileNotFoundError:
        raise ValueError(f"No compressed model file at {str(filepath)!r}. Pass the path `save_compressed` wrote.") from None
    except zipfile.BadZipFile:
        raise ValueError(
            f"{str(filepath)!r} is not a compressed model file (not a zip archive). "
            "Pass a file written by `kerasverse.optimize.save_compressed`."
        ) from None
    with archive:
        names = set(archive.namelist())
        missing = sorted({"metadata.json", "config.json", "weights.bin"} - names)
        if missing:
            raise ValueError(
                f"{str(filepath)!r} is not a complete compressed model file: it lacks {missing}. "
                f"Received members: {sorted(names)}. Save it again with `save_compressed`."
            )
        try:
            metadata = json.loads(archive.read("metadata.json"))
            config = json.loads(archive.read("config.json"))
            blob = archive.read("weights.bin")
        except (zipfile.BadZipFile, json.JSONDecodeError, OSError) as error:
            raise ValueError(f"{str(filepath)!r} is corrupted ({error}). Save the model again with `save_compressed`.") from None
    if metadata.get("format") != FORMAT_NAME or metadata.get("version") != FORMAT_VERSION:
        raise ValueError(
            f"{str(filepath)!r} is not a version-{FORMAT_VERSION} {FORMAT_NAME} file. "
            f"Received: format={metadata.get('format')!r}, version={metadata.get('version')!r}."
        )
    model = keras.saving.deserialize_keras_object(config, custom_objects=custom_objects)
    entries = metadata["weights"]
    if len(model.weights) != len(entries):
        raise ValueError(
            f"The rebuilt model has {len(model.weights)} weights but the file stores {len(entries)}. "
            "Pass the `custom_objects` the model was saved with."
        )
    for variable, entry in zip(model.weights, entries):
        if tuple(variable.shape) != tuple(entry["shape"]):
            raise ValueError(
                f"Weight {entry['path']!r} has shape {tuple(entry['shape'])} in the file but "
                f"{tuple(variable.shape)} in the rebuilt model ({variable.path!r}). The file does not match its config."
            )
        parts = {}
        for name, part in entry["parts"].items():
            dtype = np.dtype(part["dtype"])
            end = part["offset"] + part["size"] * dtype.itemsize
            if end > len(blob):
                raise ValueError(f"{str(filepath)!r} is truncated: weight {entry['path']!r} runs past the end of weights.bin.")
            parts[name] = np.frombuffer(blob, dtype=dtype, count=part["size"], offset=part["offset"])
        variable.assign(_decode(entry, parts))
    return model


def _encode(value, quantize):
    """Chooses the encoding of one weight; returns `(encoding, parts)`.

    Every encoding the weight allows is costed in stored bytes (before the
    zip's deflate) and the smallest wins; on a tie the exact one.
    """
    if value.ndim < 2 or not np.issubdtype(value.dtype, np.floating) or value.size == 0:
        return "raw", {"data": value}
    flat = value.reshape(-1)
    size, itemsize, channels = value.size, value.dtype.itemsize, value.shape[-1]
    nonzero = flat != 0
    nonzeros = int(nonzero.sum())
    codebook, indices = np.unique(flat, return_inverse=True)
    costs = {"raw": size * itemsize}  # Insertion order: exact encodings first, so they win ties.
    if len(codebook) <= 16:
        costs["codebook4"] = len(codebook) * itemsize + (size + 1) // 2
    if len(codebook) <= 256:
        costs["codebook8"] = len(codebook) * itemsize + size
    if quantize == "int8":
        del costs["raw"]  # Asked to quantize: stay float only for codebooks that are smaller.
        costs["int8"] = size + channels * itemsize
        costs["int8_sparse"] = (size + 7) // 8 + nonzeros + channels * itemsize
    else:
        costs["sparse"] = (size + 7) // 8 + nonzeros * itemsize
    encoding = min(costs, key=costs.get)
    if encoding == "raw":
        return "raw", {"data": value}
    if encoding == "codebook4":
        indices = indices.reshape(-1)
        if len(indices) % 2:
            indices = np.append(indices, 0)
        return "codebook4", {"codebook": codebook, "indices": (indices[0::2] << 4 | indices[1::2]).astype("uint8")}
    if encoding == "codebook8":
        return "codebook8", {"codebook": codebook, "indices": indices.reshape(-1).astype("uint8")}
    if encoding == "sparse":
        return "sparse", {"bitmap": np.packbits(nonzero), "values": flat[nonzero]}
    rows = value.reshape(-1, channels)
    scale = (np.abs(rows).max(axis=0) / 127.0).astype(value.dtype)
    quantized = np.round(rows / np.where(scale > 0, scale, 1)).clip(-127, 127).astype("int8").reshape(-1)
    if encoding == "int8":
        return "int8", {"values": quantized, "scale": scale}
    return "int8_sparse", {"bitmap": np.packbits(nonzero), "values": quantized[nonzero], "scale": scale}


def _decode(entry, parts):
    shape, dtype, encoding = tuple(entry["shape"]), np.dtype(entry["dtype"]), entry["encoding"]
    size = int(np.prod(shape))
    if encoding == "raw":
        return parts["data"].reshape(shape)
    if encoding in ("codebook4", "codebook8"):
        indices = parts["indices"]
        if encoding == "codebook4":
            indices = np.stack([indices >> 4, indices & 15], axis=-1).reshape(-1)[:size]
        return parts["codebook"][indices].reshape(shape)
    if encoding in ("sparse", "int8_sparse"):
        nonzero = np.unpackbits(parts["bitmap"], count=size).astype(bool)
        flat = np.zeros(size, dtype=parts["values"].dtype)
        flat[nonzero] = parts["values"]
    elif encoding == "int8":
        flat = parts["values"]
    else:
        raise ValueError(f"Unknown weight encoding {encoding!r} for {entry['path']!r}: the file is newer than this kerasverse.")
    if encoding == "sparse":
        return flat.reshape(shape)
    channels = flat.reshape(-1, shape[-1]).astype(dtype) * parts["scale"].astype(dtype)
    return channels.reshape(shape)
