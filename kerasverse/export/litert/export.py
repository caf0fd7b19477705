"""`export`: a Keras model from any backend to a LiteRT (`.tflite`) flatbuffer."""

import os

import keras
import numpy as np

from kerasverse.export.litert import backend_worker

QUANTIZATIONS = backend_worker.QUANTIZATIONS
IO_DTYPES = ("int8", "uint8")


def export(
    model,
    filepath,
    quantization=None,
    representative_data=None,
    input_signature=None,
    io_dtype="int8",
    num_calibration_samples=200,
    per_channel=True,
):
    """Writes `model` as a LiteRT (`.tflite`) file, from any Keras backend.

    TensorFlow's TFLite converter does the work. On the TensorFlow backend it
    converts the model in-process; on JAX and torch the model is saved as a
    `.keras` file and rebuilt from its config and weights under
    `KERAS_BACKEND=tensorflow` in a child process, which traces it into a
    concrete `tf.function` and converts that. TensorFlow is imported only
    there (`pip install 'kerasverse[litert]'`). Only LiteRT builtin ops are
    allowed (no `SELECT_TF_OPS`), so the file runs on the slim runtime.

    Args:
        model: a built Keras model, on any backend.
        filepath: where to write, ending in `.tflite`.
        quantization: `None` (float32), `"dynamic"` (int8 weights, float
            activations), `"float16"` (float16 weights) or `"int8"` (full
            integer: int8 weights and activations, int8/uint8 inputs and
            outputs, int8 builtin ops only; needs `representative_data`).
            Ranges learned by `kerasverse.optimize` quantization-aware
            training are used when the model carries them.
        representative_data: for `"int8"`: a numpy array (a list of arrays
            for multi-input models) of typical inputs, first axis = samples.
            Up to `num_calibration_samples` of them calibrate activations.
        input_signature: optional list of `keras.InputSpec` (or
            `(shape, dtype)` tuples), one per model input; defaults to the
            model's inputs with a dynamic batch dimension.
        io_dtype: `"int8"` or `"uint8"`: the input and output type of an
            `"int8"` model.
        num_calibration_samples: how many representative samples to use.
        per_channel: for `"int8"` and `"dynamic"`: one scale per output
            channel of each weight tensor (`True`, the default: most
            accurate) or one per tensor (`False`: a smaller file, since each
            channel's scale and zero point cost 12 bytes in the flatbuffer,
            but models whose channels have very different ranges, such as
            depthwise convolutions with folded BatchNorm, may lose accuracy).

    Returns:
        `filepath`.

    Example:

    ```python
    from kerasverse.export import litert

    litert.export(model, "digits_int8.tflite", quantization="int8",
                  representative_data=x_train[:200])
    probabilities = litert.LiteModel("digits_int8.tflite").predict(x_test)
    ```
    """
    export_many(
        model,
        {filepath: quantization},
        representative_data=representative_data,
        input_signature=input_signature,
        io_dtype=io_dtype,
        num_calibration_samples=num_calibration_samples,
        per_channel=per_channel,
    )
    return filepath


def export_many(
    model,
    files,
    representative_data=None,
    input_signature=None,
    io_dtype="int8",
    num_calibration_samples=200,
    per_channel=True,
):
    """Like `export`, for several quantizations at once (one TensorFlow start-up).

    Args:
        model: a built Keras model, on any backend.
        files: dict `{filepath: quantization}`; a value may also be a dict
            of per-file options, e.g. `{"quantization": "int8",
            "per_channel": False}`.
        representative_data, input_signature, io_dtype,
        num_calibration_samples, per_channel: as in `export`
            (`per_channel` is the default for files that do not set it).

    Returns:
        The list of written paths.
    """
    jobs = []
    for filepath, options in files.items():
        filepath = os.fspath(filepath)
        if isinstance(options, dict):
            unknown = set(options) - {"quantization", "per_channel"}
            if unknown:
                raise ValueError(
                    "Per-file options may set only 'quantization' and "
                    f"'per_channel'. Received: {sorted(unknown)} for {filepath!r}"
                )
            quantization = options.get("quantization")
            file_per_channel = options.get("per_channel", per_channel)
        else:
            quantization, file_per_channel = options, per_channel
        _check_arguments(filepath, quantization, representative_data, io_dtype)
        jobs.append(
            {
                "filepath": os.path.abspath(filepath),
                "quantization": quantization,
                "io_dtype": io_dtype,
                "per_channel": bool(file_per_channel),
            }
        )
    model = _strip_qat_wrappers(model)
    input_specs = input_specs_of(model, input_signature)
    arrays = None
    if representative_data is not None:
        arrays = _representative_arrays(representative_data, input_specs)
    ranges = learned_ranges(model)
    for job in jobs:
        os.makedirs(os.path.dirname(job["filepath"]) or ".", exist_ok=True)
    if keras.config.backend() == "tensorflow":
        return backend_worker.convert_litert(
            model,
            jobs,
            input_specs,
            arrays,
            ranges=ranges,
            num_calibration_samples=num_calibration_samples,
        )
    try:
        result = backend_worker.run_in_backend(
            model,
            "tensorflow",
            "litert",
            arrays={"representative": arrays} if arrays is not None else None,
            jobs=jobs,
            input_specs=input_specs,
            ranges=ranges,
            num_calibration_samples=num_calibration_samples,
        )
    except backend_worker.ConversionError as error:
        message = str(error)
        if "No module named 'tensorflow'" in message:
            raise ImportError(
                "LiteRT conversion needs TensorFlow in this environment. "
                "Install it with `pip install 'kerasverse[litert]'`."
            ) from None
        if message.startswith("ValueError: "):
            raise ValueError(message[len("ValueError: ") :]) from None
        raise
    return result["outputs"]


def _check_arguments(filepath, quantization, representative_data, io_dtype):
    if not str(filepath).endswith(".tflite"):
        raise ValueError(
            f"The LiteRT file name must end with '.tflite'. Received: filepath={filepath!r}"
        )
    if quantization not in QUANTIZATIONS:
        raise ValueError(
            f"Argument `quantization` must be one of {QUANTIZATIONS}. Received: quantization={quantization!r}"
        )
    if io_dtype not in IO_DTYPES:
        raise ValueError(
            f"Argument `io_dtype` must be one of {IO_DTYPES}. Received: io_dtype={io_dtype!r}"
        )
    if quantization == "int8" and representative_data is None:
        raise ValueError(
            "quantization='int8' (full integer) calibrates activation ranges on typical inputs, "
            "so it needs `representative_data`: pass e.g. `representative_data=x_train[:200]`. "
            "Received: representative_data=None. (Or use quantization='dynamic', which needs none.)"
        )


def input_specs_of(model, input_signature=None):
    """A JSON-able list of `{"shape", "dtype", "name"}`, one per model input."""
    if input_signature is None:
        inputs = getattr(model, "inputs", None)
        if not inputs:
            raise ValueError(
                "The model has no known inputs (a subclassed model that was never built). "
                "Pass `input_signature=[keras.InputSpec(shape=(None, ...), dtype='float32')]`."
            )
        input_signature = inputs
    elif not isinstance(input_signature, (list, tuple)) or (
        len(input_signature) == 2 and isinstance(input_signature[1], str)
    ):
        input_signature = [input_signature]
    specs = []
    for index, spec in enumerate(input_signature):
        if isinstance(spec, (list, tuple)) and len(spec) == 2:
            shape, dtype = spec
        else:
            shape, dtype = (
                getattr(spec, "shape", None),
                getattr(spec, "dtype", None) or "float32",
            )
        if shape is None:
            raise ValueError(
                f"Each input signature entry needs a shape. Received: {spec!r} at position {index}. "
                "Use keras.InputSpec(shape=(None, ...), dtype='float32')."
            )
        name = getattr(spec, "name", None) or f"input_{index}"
        name = "".join(
            c if c.isalnum() or c == "_" else "_" for c in str(name).split(":")[0]
        )
        specs.append(
            {
                "shape": [None if d is None else int(d) for d in shape],
                "dtype": keras.backend.standardize_dtype(dtype),
                "name": name,
            }
        )
    return specs


def _representative_arrays(data, input_specs):
    arrays = list(data) if isinstance(data, (list, tuple)) else [data]
    if len(arrays) != len(input_specs):
        raise ValueError(
            f"`representative_data` must hold one array per model input ({len(input_specs)}). "
            f"Received: {len(arrays)} arrays."
        )
    result = []
    for array, spec in zip(arrays, input_specs):
        array = np.asarray(keras.ops.convert_to_numpy(array))
        expected = spec["shape"][1:]
        if list(array.shape[1:]) != [
            d if d is not None else s for d, s in zip(expected, array.shape[1:])
        ]:
            raise ValueError(
                f"`representative_data` for input '{spec['name']}' must have shape (num_samples, "
                f"{', '.join(str(d) for d in expected)}). Received: shape {array.shape}."
            )
        if len(array) == 0:
            raise ValueError("`representative_data` is empty. Received: 0 samples.")
        result.append(array.astype(spec["dtype"]))
    return result


def _strip_qat_wrappers(model):
    """A QAT model (from `kerasverse.optimize`) becomes its stripped model plus learned ranges.

    tfmot users hand the QAT model itself to the converter, which reads its
    FakeQuant ops. The wrappers here hold variables the converter cannot
    fold, so the model is stripped first (`quantization.strip_qat`): the
    weights are the fake-quantized values and the learned activation ranges
    become the int8 ranges.
    """
    keras_int8 = [
        layer.name
        for layer in model._flatten_layers(include_self=False, recursive=True)
        if getattr(layer, "quantization_mode", None) == "int8"
    ]
    if keras_int8:
        # Keras' int8 layers feed int8 tensors to float ops; the converter
        # rejects them ("tfl.fully_connected ... must be tensor of 32-bit float").
        raise ValueError(
            f"Layers {keras_int8} of model '{model.name}' were quantized with Keras' "
            "`model.quantize('int8')`, whose int8 matmuls LiteRT's converter cannot carry. "
            "Export the float model with quantization='dynamic' or 'int8' instead (LiteRT "
            "quantizes it the same way: per-channel int8 weights)."
        )
    names = {type(layer).__name__ for layer in model._flatten_layers(include_self=False, recursive=True)}
    if not names & {"QuantizeWrapper", "QuantizeAnnotate"}:
        return model
    from kerasverse.optimize.quantization import strip_qat

    return strip_qat(model)


def learned_ranges(model):
    """Quantization ranges learned by `kerasverse.optimize` QAT, or None when unavailable."""
    try:
        from kerasverse.optimize.quantization import get_quantization_ranges
    except ImportError:
        return None
    try:
        ranges = get_quantization_ranges(model)
    except ValueError:  # A model without QAT wrappers or stored ranges.
        return None
    if not ranges:
        return None
    clean = {}
    for name, entry in ranges.items():
        item = {}
        for key in ("inputs", "outputs"):
            value = entry.get(key)
            if value is not None:
                item[key] = [
                    float(v) for v in np.asarray(value, dtype="float64").reshape(-1)[:2]
                ]
        if item:
            clean[name] = item
    return clean or None
