"""`export`: a Keras model from any backend to ONNX, optionally int8 dynamic-quantized."""

import importlib.util
import os
import tempfile

import keras

from kerasverse.export.litert import backend_worker
from kerasverse.export.litert.export import input_specs_of

QUANTIZATIONS = (None, "int8")
ROUTES = ("auto", "native", "torch")


def export(
    model,
    filepath,
    batch_size=None,
    quantization=None,
    input_signature=None,
    opset_version=None,
    via="auto",
):
    """Writes `model` as an ONNX file with Keras' own exporter (`model.export(format="onnx")`).

    Keras 3.15 exports ONNX with `torch.onnx` on the torch backend, with
    jax2onnx on JAX and with tf2onnx on TensorFlow. jax2onnx lowers pooling to
    a 6-D `MaxPool` that onnxruntime cannot run, and tf2onnx needs TensorFlow,
    so by default (`via="auto"`) models from JAX or TensorFlow are rebuilt from
    their config and weights under `KERAS_BACKEND=torch` in a child process and
    exported there; torch models export in-process. No TensorFlow is involved.

    Args:
        model: a built Keras model, on any backend.
        filepath: where to write, ending in `.onnx`.
        batch_size: `None` for a dynamic batch dimension, or a fixed int.
        quantization: `None` (float32) or `"int8"`: int8 weights with dynamic
            (per-batch) activation quantization by
            `onnxruntime.quantization.quantize_dynamic`; inputs and outputs
            stay float32.
        input_signature: optional list of `keras.InputSpec` (or
            `(shape, dtype)` tuples), one per input; overrides `batch_size`.
        opset_version: ONNX opset; `None` lets the exporter choose.
        via: `"auto"`, `"native"` (Keras' exporter on the current backend,
            in-process) or `"torch"` (rebuild under torch in a child process).

    Returns:
        `filepath`.

    Example:

    ```python
    from kerasverse.export import onnx

    onnx.export(model, "digits.onnx")
    onnx.export(model, "digits_int8.onnx", quantization="int8")
    probabilities = onnx.OnnxModel("digits_int8.onnx").predict(x_test)
    ```
    """
    filepath = os.fspath(filepath)
    if not filepath.endswith(".onnx"):
        raise ValueError(
            f"The ONNX file name must end with '.onnx'. Received: filepath={filepath!r}"
        )
    if quantization not in QUANTIZATIONS:
        raise ValueError(
            f"Argument `quantization` must be one of {QUANTIZATIONS}. Received: quantization={quantization!r}"
        )
    if via not in ROUTES:
        raise ValueError(
            f"Argument `via` must be one of {ROUTES}. Received: via={via!r}"
        )
    if batch_size is not None and (
        not isinstance(batch_size, int)
        or isinstance(batch_size, bool)
        or batch_size < 1
    ):
        raise ValueError(
            f"Argument `batch_size` must be None (dynamic) or a positive int. Received: {batch_size!r}"
        )
    specs = input_specs_of(model, input_signature)
    if input_signature is None:
        for spec in specs:
            spec["shape"][0] = batch_size
    filepath = os.path.abspath(filepath)
    os.makedirs(os.path.dirname(filepath), exist_ok=True)
    if quantization is None:
        _export_float(model, filepath, specs, opset_version, via)
        return filepath
    with tempfile.TemporaryDirectory(prefix="kerasverse-onnx-") as workdir:
        float_path = os.path.join(workdir, "float.onnx")
        _export_float(model, float_path, specs, opset_version, via)
        quantize(float_path, filepath)
    return filepath


def quantize(float_path, filepath):
    """Writes an int8 dynamic-quantized copy of an ONNX file (onnxruntime's tools).

    Args:
        float_path: a float32 `.onnx` file.
        filepath: where to write the quantized model.
    """
    from onnxruntime.quantization import QuantType
    from onnxruntime.quantization import quantize_dynamic

    quantize_dynamic(
        os.fspath(float_path), os.fspath(filepath), weight_type=QuantType.QInt8
    )
    return filepath


def _route(via):
    backend = keras.config.backend()
    if via == "native" or backend == "torch":
        return "native"
    if via == "torch" or importlib.util.find_spec("torch") is not None:
        return "torch"
    if backend == "jax" and importlib.util.find_spec("jax2onnx") is not None:
        return "native"
    raise ImportError(
        f"ONNX export from the {backend} backend runs under torch in a child process, "
        "and torch is not installed: `pip install 'kerasverse[torch]'` "
        "(or pass via='native' with jax2onnx/tf2onnx installed)."
    )


def _export_float(model, filepath, specs, opset_version, via):
    if _route(via) == "native":
        backend_worker.export_onnx_native(model, filepath, specs, opset_version)
    else:
        backend_worker.run_in_backend(
            model,
            "torch",
            "onnx",
            filepath=filepath,
            input_specs=specs,
            opset_version=opset_version,
        )
    if not os.path.exists(filepath):
        raise RuntimeError(f"Keras' ONNX exporter wrote no file at {filepath!r}.")
