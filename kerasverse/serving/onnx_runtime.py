"""`OnnxRuntime`: serves an `.onnx` file with onnxruntime."""

import threading

import numpy as np

from kerasverse.serving.runtime import Runtime
from kerasverse.serving.tensor_spec import TensorSpec


def _specs(specs) -> dict[str, TensorSpec]:
    return {name: TensorSpec(name, dtype, (None, *shape[1:])) for name, shape, dtype in specs}


class OnnxRuntime(Runtime):
    """An ONNX model in an onnxruntime `InferenceSession` (`kerasverse.export.onnx.OnnxModel`).

    Args:
        filepath: path of an `.onnx` file (e.g. written by `kerasverse.export.onnx.export`).
        num_threads: onnxruntime intra-op threads (`None`: its default).
        input_names: optional names to show instead of the file's input names
            (used when the file was exported from a served `.keras` model, so
            the signature does not change with the runtime).
        output_names: the same for the outputs.

    Example:

    ```python
    runtime = OnnxRuntime("1/model.onnx")
    runtime.predict_batch({name: x for name in runtime.inputs})
    ```
    """

    name = "onnxruntime"

    def __init__(self, filepath: str, num_threads: int | None = None, input_names=None, output_names=None):
        from kerasverse.export.onnx import OnnxModel

        self._model = OnnxModel(filepath, num_threads=num_threads)
        inputs = _specs(self._model.input_specs)
        outputs = _specs(self._model.output_specs)
        self._file_inputs = list(inputs)
        self._inputs = _rename(inputs, input_names)
        self._outputs = _rename(outputs, output_names)
        self._lock = threading.Lock()

    @property
    def inputs(self):
        return self._inputs

    @property
    def outputs(self):
        return self._outputs

    def predict_batch(self, features):
        arrays = [features[name] for name in self._inputs]
        size = len(arrays[0])
        outputs = self._model.predict(arrays if len(arrays) > 1 else arrays[0], batch_size=max(size, 1))
        if not isinstance(outputs, list):
            outputs = [outputs]
        return {name: np.asarray(value) for name, value in zip(self._outputs, outputs)}

    def close(self):
        self._model = None


def _rename(specs: dict[str, TensorSpec], names) -> dict[str, TensorSpec]:
    if not names:
        return specs
    if len(names) != len(specs):
        raise ValueError(f"Expected {len(specs)} names for {list(specs)}. Received: {list(names)}.")
    return {new: TensorSpec(new, spec.dtype, spec.shape) for new, spec in zip(names, specs.values())}
