"""`strip_qat`, `get_quantization_ranges` and their serialized form.

The contract with exporters (e.g. `kerasverse.export.litert`): a dict
`{layer_name: {"inputs": (min, max) | None, "outputs": (min, max) | None,
"kernel_per_channel": (min_array, max_array) | None}}` keyed by the names of
the layers of the stripped model.
"""

import json
import os
import zipfile

import keras
import numpy as np

from kerasverse.optimize import _model_utils
from kerasverse.optimize import _substitution
from kerasverse.optimize.quantization.quantize_annotate import QuantizeAnnotate
from kerasverse.optimize.quantization.quantize_config import is_pass_through
from kerasverse.optimize.quantization.quantize_wrapper import QuantizeWrapper

RANGES_FILE = "kerasverse_quantization_ranges.json"


def _producers(model, layer):
    nodes = getattr(layer, "_inbound_nodes", [])
    if not nodes:
        return []
    return [parent.operation for parent in nodes[0].parent_nodes]


def _ranges_of_qat_model(model):
    ranges, output_range = {}, {}
    for layer in model.layers:
        if _substitution.is_input_layer(layer):
            output_range[id(layer)] = None
            continue
        producers = _producers(model, layer)
        incoming = output_range.get(id(producers[0])) if producers else None
        if isinstance(layer, QuantizeWrapper):
            entry = layer.get_ranges()
            if entry["inputs"] is None:
                entry["inputs"] = incoming
            name = layer.layer.name
        elif is_pass_through(layer):
            entry = {"inputs": incoming, "outputs": incoming, "kernel_per_channel": None}
            name = layer.name
        else:
            entry = {"inputs": incoming, "outputs": None, "kernel_per_channel": None}
            name = layer.layer.name if isinstance(layer, QuantizeAnnotate) else layer.name
        output_range[id(layer)] = entry["outputs"]
        ranges[name] = entry
    return ranges


def get_quantization_ranges(model):
    """The int8 ranges learned by quantization-aware training, per layer.

    Args:
        model: a QAT model (from `quantize_model`, trained), the model
            returned by `strip_qat`, or a path to a `.keras`/`.json` file
            written by `save_quantization_ranges`.

    Returns:
        `{layer_name: {"inputs": (min, max) or None, "outputs": (min, max) or
        None, "kernel_per_channel": (min_array, max_array) or None}}` keyed by
        the layer names of the stripped model. Activation ranges are
        asymmetric and contain 0; kernel ranges are symmetric per output
        channel (last axis), and the stripped kernels already lie on that
        int8 grid (scale `max / 127`). Pass-through layers (Flatten,
        MaxPooling, ...) repeat their input's range. Unquantized layers have
        `outputs=None`. Layers inside nested models are not listed: build the
        model flat for export.

    Example:

    ```python
    ranges = quantization.get_quantization_ranges(qat_model)
    low, high = ranges["dense"]["outputs"]
    ```
    """
    if isinstance(model, (str, os.PathLike)):
        return load_quantization_ranges(model)
    stored = getattr(model, "quantization_ranges", None)
    if stored is not None:
        return stored
    if not isinstance(model, keras.Model):
        raise ValueError(
            "`get_quantization_ranges` expects a QAT model, a stripped QAT model or a file "
            f"path. Received: {type(model).__name__}."
        )
    if not _model_utils.contains(model, QuantizeWrapper):
        raise ValueError(
            f"Model '{model.name}' has no quantization ranges. Received a model without "
            "`QuantizeWrapper` layers and without stored ranges. Pass the model returned by "
            "`quantize_model` (after training) or by `strip_qat`, or load a ranges file."
        )
    return _ranges_of_qat_model(model)


def strip_qat(model):
    """Removes QAT wrappers: a plain Keras model plus its learned ranges.

    Each `QuantizeWrapper` becomes a copy of the layer it wraps whose
    quantized weights are the fake-quantized values (float32 numbers lying on
    the per-channel int8 grid, so `model.quantize("int8")` or an int8
    converter reproduces them exactly). The learned ranges are attached as
    `stripped.quantization_ranges` (what `get_quantization_ranges` returns);
    `save_quantization_ranges(stripped, "model.keras")` stores them inside the
    saved file.

    Args:
        model: a model from `quantize_model`/`quantize_apply`.

    Returns:
        The plain model.

    Example:

    ```python
    plain = quantization.strip_qat(qat)
    plain.save("model.keras")
    quantization.save_quantization_ranges(plain, "model.keras")
    ```
    """
    _model_utils.check_model(model, "strip_qat")
    if not _model_utils.contains(model, (QuantizeWrapper, QuantizeAnnotate)):
        raise ValueError(
            f"`strip_qat` expects a model with quantization wrappers. Received model "
            f"'{model.name}' without any `QuantizeWrapper`. Call it on the model returned by "
            "`quantize_model`."
        )
    ranges = _ranges_of_qat_model(model)

    def unwrap(layer):
        if isinstance(layer, QuantizeWrapper):
            plain = _substitution.rebuild_like(layer.layer)
            plain.set_weights(layer.effective_weights())
            return plain
        if isinstance(layer, QuantizeAnnotate):
            return _substitution.rebuild_like(layer.layer)
        return None

    stripped = _model_utils.rewrite_model(model, unwrap)
    stripped.quantization_ranges = ranges
    return stripped


def _to_json(ranges):
    def convert(value):
        if value is None:
            return None
        return [np.asarray(v).tolist() for v in value]

    return {
        name: {key: convert(value) for key, value in entry.items()}
        for name, entry in ranges.items()
    }


def _from_json(data):
    ranges = {}
    for name, entry in data.items():
        ranges[name] = {
            "inputs": None if entry["inputs"] is None else tuple(entry["inputs"]),
            "outputs": None if entry["outputs"] is None else tuple(entry["outputs"]),
            "kernel_per_channel": None
            if entry["kernel_per_channel"] is None
            else tuple(np.asarray(v, "float32") for v in entry["kernel_per_channel"]),
        }
    return ranges


def save_quantization_ranges(model_or_ranges, path):
    """Writes the ranges to `path`.

    A `.keras` path (already saved with `model.save`) gets a
    `kerasverse_quantization_ranges.json` member added to its zip (Keras
    ignores it when loading); any other path gets a JSON file.

    Args:
        model_or_ranges: a QAT/stripped model or a ranges dict.
        path: where to write.
    """
    ranges = model_or_ranges
    if not isinstance(model_or_ranges, dict):
        ranges = get_quantization_ranges(model_or_ranges)
    payload = json.dumps(_to_json(ranges), indent=1)
    path = os.fspath(path)
    if path.endswith(".keras"):
        if not os.path.isfile(path):
            raise ValueError(
                f"Received path={path!r}, which does not exist. Save the model first "
                "(`model.save(path)`), then add its ranges."
            )
        with zipfile.ZipFile(path, "a") as archive:
            if RANGES_FILE in archive.namelist():
                raise ValueError(f"{path!r} already holds quantization ranges.")
            archive.writestr(RANGES_FILE, payload)
    else:
        with open(path, "w") as handle:
            handle.write(payload)


def load_quantization_ranges(path):
    """Reads ranges written by `save_quantization_ranges` (`.keras` or `.json`)."""
    path = os.fspath(path)
    if path.endswith(".keras"):
        with zipfile.ZipFile(path) as archive:
            if RANGES_FILE not in archive.namelist():
                raise ValueError(
                    f"{path!r} holds no quantization ranges. Received a .keras file without "
                    f"{RANGES_FILE}; write them with `save_quantization_ranges(model, path)`."
                )
            return _from_json(json.loads(archive.read(RANGES_FILE)))
    with open(path) as handle:
        return _from_json(json.load(handle))
