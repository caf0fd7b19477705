"""Runs an export under another Keras backend, in a child process.

Keras picks its backend once per process, and the converters we need live on
specific backends: the TFLite converter needs TensorFlow graphs, and Keras'
ONNX exporter on JAX (jax2onnx) writes graphs onnxruntime cannot run (6-D
MaxPool). So for a model built on JAX or torch we save it as a `.keras` file
(its config and weights), start `python -m kerasverse.export.litert.backend_worker`
with `KERAS_BACKEND` set to the backend that converts, rebuild the same model
there and convert it. Keras 3 stores weights in the same layout on every
backend, so the rebuilt model computes the same function.

This module imports no TensorFlow at import time: `convert_litert` imports it
when called (in the child, or in-process when the caller already runs on the
TensorFlow backend).
"""

import importlib
import json
import os
import re
import subprocess
import sys
import tempfile

import numpy as np

REQUEST_FILE = "request.json"
RESULT_FILE = "result.json"
MODEL_FILE = "model.keras"
REPRESENTATIVE_FILE = "representative.npz"

QUANTIZATIONS = (None, "dynamic", "float16", "int8")


class ConversionError(RuntimeError):
    """Raised when the child conversion process fails; the message names the cause."""


# --------------------------------------------------------------------- parent


def custom_modules_of(model):
    """Modules (outside Keras) that define the classes the saved model needs."""
    modules = set()
    for layer in model._flatten_layers(include_self=True, recursive=True):
        module = type(layer).__module__
        if module.split(".")[0] not in ("keras", "builtins"):
            modules.add(module)
    return sorted(modules)


def run_in_backend(model, backend, task, arrays=None, timeout=1800, **request):
    """Saves `model`, runs `task` under `backend` in a child process, returns its result dict.

    Args:
        model: a Keras model (any backend).
        backend: `"tensorflow"` or `"torch"`: the backend of the child.
        task: `"litert"` or `"onnx"`.
        arrays: optional dict of name -> list of numpy arrays (saved in an .npz).
        timeout: seconds before the child is killed.
        **request: JSON-serialisable arguments of the task.
    """
    modules = custom_modules_of(model)
    if "__main__" in modules:
        names = sorted(
            type(layer).__name__
            for layer in model._flatten_layers(include_self=True, recursive=True)
            if type(layer).__module__ == "__main__"
        )
        raise ValueError(
            f"The model uses classes defined in `__main__` ({', '.join(names)}), which the "
            f"{backend} conversion process cannot import. Move them into an importable module "
            "(and register them with `keras.saving.register_keras_serializable`)."
        )
    with tempfile.TemporaryDirectory(prefix="kerasverse-export-") as workdir:
        model.save(os.path.join(workdir, MODEL_FILE))
        if arrays:
            flat = {}
            for name, values in arrays.items():
                for index, value in enumerate(values):
                    flat[f"{name}__{index}"] = np.asarray(value)
            np.savez(os.path.join(workdir, REPRESENTATIVE_FILE), **flat)
        request = dict(request, task=task, modules=modules)
        with open(os.path.join(workdir, REQUEST_FILE), "w") as f:
            json.dump(request, f)
        env = dict(os.environ, KERAS_BACKEND=backend, TF_CPP_MIN_LOG_LEVEL="3")
        env.setdefault("CUDA_VISIBLE_DEVICES", "")
        command = [
            sys.executable,
            "-m",
            "kerasverse.export.litert.backend_worker",
            workdir,
        ]
        process = subprocess.run(
            command, env=env, capture_output=True, text=True, timeout=timeout
        )
        result_path = os.path.join(workdir, RESULT_FILE)
        if os.path.exists(result_path):
            with open(result_path) as f:
                result = json.load(f)
        else:
            result = {
                "ok": False,
                "error": _tail(process.stderr) or f"exit status {process.returncode}",
            }
        if not result.get("ok"):
            raise ConversionError(result.get("error", "unknown error"))
        return result


def _tail(text, lines=25):
    return "\n".join(text.strip().splitlines()[-lines:])


# ---------------------------------------------------------------------- child


def main(workdir):
    with open(os.path.join(workdir, REQUEST_FILE)) as f:
        request = json.load(f)
    result_path = os.path.join(workdir, RESULT_FILE)
    try:
        for module in request.get("modules", []):
            importlib.import_module(module)
        import keras

        model = keras.saving.load_model(
            os.path.join(workdir, MODEL_FILE), compile=False
        )
        arrays = _load_arrays(os.path.join(workdir, REPRESENTATIVE_FILE))
        if request["task"] == "litert":
            outputs = convert_litert(
                model,
                jobs=request["jobs"],
                input_specs=request["input_specs"],
                representative_data=arrays.get("representative"),
                ranges=request.get("ranges"),
                num_calibration_samples=request.get("num_calibration_samples", 200),
            )
        elif request["task"] == "onnx":
            outputs = export_onnx_native(
                model,
                request["filepath"],
                request["input_specs"],
                request.get("opset_version"),
            )
        else:
            raise ValueError(f"Unknown task: {request['task']}")
        result = {"ok": True, "outputs": outputs}
    except Exception as error:  # Reported to the parent, which re-raises.
        result = {"ok": False, "error": f"{type(error).__name__}: {error}"}
    with open(result_path, "w") as f:
        json.dump(result, f)


def _load_arrays(path):
    if not os.path.exists(path):
        return {}
    arrays = {}
    with np.load(path) as data:
        for key in sorted(
            data.files, key=lambda k: (k.rsplit("__", 1)[0], int(k.rsplit("__", 1)[1]))
        ):
            name = key.rsplit("__", 1)[0]
            arrays.setdefault(name, []).append(data[key])
    return arrays


def export_onnx_native(model, filepath, input_specs, opset_version=None):
    """Keras' own ONNX export on the current backend."""
    import keras

    signature = [
        keras.InputSpec(shape=tuple(spec["shape"]), dtype=spec["dtype"])
        for spec in input_specs
    ]
    if len(signature) > 1:
        signature = [signature]
    _ensure_called(model, input_specs)
    model.export(
        filepath,
        format="onnx",
        input_signature=signature,
        opset_version=opset_version,
        verbose=False,
    )
    return [filepath]


def _ensure_called(model, input_specs):
    """Keras' exporters want a model that has been called once."""
    if getattr(model, "_called", False):
        return
    dummy = [
        np.zeros([1 if d is None else d for d in spec["shape"]], spec["dtype"])
        for spec in input_specs
    ]
    model(dummy[0] if len(dummy) == 1 else dummy, training=False)


# ------------------------------------------------------------ TFLite converter


def convert_litert(
    model,
    jobs,
    input_specs,
    representative_data=None,
    ranges=None,
    num_calibration_samples=200,
):
    """Converts a Keras model (TensorFlow backend) to one `.tflite` per job.

    Args:
        model: a Keras model running on the TensorFlow backend.
        jobs: list of `{"quantization": None|"dynamic"|"float16"|"int8",
            "filepath": str, "io_dtype": "int8"|"uint8", "per_channel": bool}`
            (`per_channel` defaults to True).
        input_specs: list of `{"shape": [...], "dtype": str, "name": str}`.
        representative_data: list of numpy arrays (one per input), needed for int8.
        ranges: optional `{layer_name: {"inputs": (min, max)|None, "outputs": (min, max)|None}}`
            learned by quantization-aware training; the outputs of those layers get
            FakeQuant ops with these ranges, which the converter uses instead of
            calibrating them.
        num_calibration_samples: at most this many representative samples are used.

    Returns:
        The list of written file paths.
    """
    import tensorflow as tf

    specs = [
        tf.TensorSpec(spec["shape"], tf.as_dtype(spec["dtype"]), name=spec["name"])
        for spec in input_specs
    ]
    single = len(specs) == 1
    ranged_model = _with_fake_quant(model, ranges) if ranges else None

    def serving_function(keras_model):
        from tensorflow.python.framework.convert_to_constants import (
            convert_variables_to_constants_v2,
        )

        @tf.function(input_signature=specs)
        def serve(*args):
            return keras_model(args[0] if single else list(args), training=False)

        # Weights become constants: the flatbuffer holds no resource variables,
        # which full-integer calibration and slim runtimes cannot handle.
        return convert_variables_to_constants_v2(serve.get_concrete_function())

    written = []
    for job in jobs:
        quantization = job.get("quantization")
        use_ranges = quantization == "int8" and ranged_model is not None
        keras_model = ranged_model if use_ranges else model
        concrete = serving_function(keras_model)
        converter = tf.lite.TFLiteConverter.from_concrete_functions(
            [concrete], keras_model
        )
        converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS]
        if quantization == "dynamic":
            converter.optimizations = [tf.lite.Optimize.DEFAULT]
        elif quantization == "float16":
            converter.optimizations = [tf.lite.Optimize.DEFAULT]
            converter.target_spec.supported_types = [tf.float16]
        elif quantization == "int8":
            if not representative_data:
                raise ValueError("quantization='int8' needs representative_data.")
            converter.optimizations = [tf.lite.Optimize.DEFAULT]
            converter.representative_dataset = _representative_dataset(
                representative_data, input_specs, num_calibration_samples
            )
            converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
            io_dtype = tf.uint8 if job.get("io_dtype") == "uint8" else tf.int8
            converter.inference_input_type = io_dtype
            converter.inference_output_type = io_dtype
        elif quantization is not None:
            raise ValueError(f"Unknown quantization: {quantization!r}")
        if not job.get("per_channel", True):
            # One scale per weight tensor instead of one per output channel.
            converter._experimental_disable_per_channel = True
        try:
            flatbuffer = converter.convert()
        except Exception as error:
            raise _explain_converter_error(error, quantization) from None
        if quantization == "int8":
            _check_integer_only(flatbuffer)
        if quantization is not None:
            flatbuffer = share_repeated_vectors(flatbuffer)
        with open(job["filepath"], "wb") as f:
            f.write(flatbuffer)
        written.append(job["filepath"])
    return written


def _representative_dataset(arrays, input_specs, num_samples):
    count = min(len(arrays[0]), num_samples)

    def generate():
        for index in range(count):
            yield [
                np.asarray(array[index : index + 1], dtype=spec["dtype"])
                for array, spec in zip(arrays, input_specs)
            ]

    return generate


def _explain_converter_error(error, quantization):
    text = str(error)
    ops = sorted(set(re.findall(r"'(tf\.[A-Za-z0-9_]+|tfl\.[A-Za-z0-9_]+)' op", text)))
    ops += sorted(
        set(
            re.findall(
                r"[Qq]uantization (?:is )?not (?:yet )?supported for op: '?([A-Za-z0-9_.]+)",
                text,
            )
        )
    )
    if quantization == "int8" and ops:
        return ValueError(
            f"LiteRT cannot express these ops with int8 builtins only: {', '.join(sorted(set(ops)))}. "
            "Use quantization='dynamic' or 'float16' for this model, or replace the layers "
            f"using those ops. Converter message: {_first_lines(text)}"
        )
    if ops:
        return ValueError(
            f"LiteRT builtin ops cannot express: {', '.join(sorted(set(ops)))} "
            f"(quantization={quantization!r}). Replace the layers using those ops. "
            f"Converter message: {_first_lines(text)}"
        )
    return RuntimeError(
        f"LiteRT conversion failed (quantization={quantization!r}): {_first_lines(text)}"
    )


def float_ops(flatbuffer):
    """Names of the ops of a `.tflite` flatbuffer that compute in floating point."""
    import tensorflow as tf

    interpreter = tf.lite.Interpreter(model_content=flatbuffer)
    tensors = {detail["index"]: detail for detail in interpreter.get_tensor_details()}
    names = []
    for op in interpreter._get_ops_details():
        if op["op_name"] in ("QUANTIZE", "DEQUANTIZE"):
            continue
        indices = [i for i in list(op["inputs"]) + list(op["outputs"]) if i >= 0]
        if any(np.dtype(tensors[i]["dtype"]).kind == "f" for i in indices):
            names.append(op["op_name"])
    return sorted(set(names))


def _check_integer_only(flatbuffer):
    """The converter silently keeps float kernels (wrapped in (de)quantize) for ops
    without int8 kernels; a full-integer model must have none."""
    names = float_ops(flatbuffer)
    if names:
        raise ValueError(
            f"LiteRT has no int8 builtin kernel for these ops: {', '.join(names)}, so the model "
            "cannot be full-integer. Use quantization='dynamic' or 'float16' for this model, or replace "
            "the layers using those ops."
        )


def share_repeated_vectors(flatbuffer):
    """Rewrites a `.tflite` flatbuffer so identical vectors are stored once.

    Each per-channel quantized weight and bias tensor carries a float32 scale
    and an int64 zero point per output channel. The zero points are all 0, so
    a MobileNetV3-Small int8 file holds ~20k copies of the same few vectors
    (~140 KB, 8 % of the file). FlatBuffers lets several tables point at one
    vector, so we write each distinct vector once; a reader cannot tell the
    difference and the runtime computes the same outputs. Constant tensor data
    keeps the converter's 16-byte alignment.
    """
    import flatbuffers
    from tensorflow.lite.tools import flatbuffer_utils

    class SharingBuilder(flatbuffers.Builder):
        def __init__(self):
            super().__init__(len(flatbuffer) + 1024)
            self.vectors = {}

        def CreateNumpyVector(self, x):
            if x.dtype == np.uint8:  # Buffer (constant tensor) data.
                self.StartVector(1, x.size, 16)
                self.head -= x.size
                self.Bytes[self.head : self.head + x.size] = x.tobytes()
                return self.EndVector()
            key = (x.dtype.str, x.tobytes())
            if key not in self.vectors:
                self.vectors[key] = super().CreateNumpyVector(x)
            return self.vectors[key]

    model = flatbuffer_utils.read_model_from_bytearray(bytearray(flatbuffer))
    if any(buffer.offset for buffer in model.buffers):
        return flatbuffer  # Data stored outside the flatbuffer (> 2 GB models).
    builder = SharingBuilder()
    builder.Finish(model.Pack(builder), file_identifier=b"TFL3")
    shared = bytes(builder.Output())
    return shared if len(shared) < len(flatbuffer) else flatbuffer


def _first_lines(text, count=12):
    lines = [
        line for line in text.splitlines() if line.strip() and "<unknown>" not in line
    ]
    return " | ".join(lines[:count])


def _with_fake_quant(model, ranges):
    """A clone of a functional `model` with FakeQuant ops on layers with learned ranges."""
    import keras
    import tensorflow as tf

    class FakeQuant(keras.layers.Layer):
        def __init__(self, minimum, maximum, **kwargs):
            super().__init__(**kwargs)
            self.minimum, self.maximum = float(minimum), float(maximum)

        def call(self, x):
            return tf.quantization.fake_quant_with_min_max_args(
                x, min=self.minimum, max=self.maximum, num_bits=8
            )

    def call_function(layer, *args, **kwargs):
        layer_ranges = ranges.get(layer.name) or {}
        if layer_ranges.get("inputs") and len(args) == 1 and not kwargs:
            args = (FakeQuant(*layer_ranges["inputs"])(args[0]),)
        outputs = layer(*args, **kwargs)
        if layer_ranges.get("outputs"):
            outputs = FakeQuant(*layer_ranges["outputs"])(outputs)
        return outputs

    if isinstance(model, keras.Sequential):
        inputs = keras.Input(
            batch_shape=model.inputs[0].shape, dtype=model.inputs[0].dtype
        )
        outputs = inputs
        for layer in model.layers:
            outputs = call_function(layer, outputs)
        return keras.Model(inputs, outputs, name=model.name)
    return keras.models.clone_model(
        model, clone_function=lambda layer: layer, call_function=call_function
    )


if __name__ == "__main__":
    main(sys.argv[1])
