"""`LiteRTRuntime`: serves a `.tflite` file with LiteRT (`ai-edge-litert`)."""

import re
import threading

import numpy as np

from kerasverse.serving.runtime import Runtime
from kerasverse.serving.tensor_spec import TensorSpec


def _keras_name(tensor_name: str) -> str:
    """`serving_default_image:0` (the converter's tensor name) -> `image` (the `keras.Input` name)."""
    return re.sub(r":\d+$", "", tensor_name).removeprefix("serving_default_")


class LiteRTRuntime(Runtime):
    """A LiteRT model (`kerasverse.export.litert.LiteModel`); int8 files take and return floats.

    The interpreter is not thread-safe, so calls are serialized.

    Args:
        filepath: path of a `.tflite` file.
        num_threads: interpreter threads (`None`: the runtime's default).

    Example:

    ```python
    runtime = LiteRTRuntime("1/model.tflite")
    ```
    """

    name = "litert"

    def __init__(self, filepath: str, num_threads: int | None = None):
        from kerasverse.export.litert import LiteModel

        self._model = LiteModel(filepath, num_threads=num_threads)
        quantized = self._model.is_quantized

        def spec(name, shape, dtype):
            dtype = "float32" if quantized and dtype in ("int8", "uint8") else dtype
            return TensorSpec(name, dtype, (None, *shape[1:]))

        names = [_keras_name(name) for name, _, _ in self._model.input_specs]
        if len(set(names)) != len(names):
            names = [name for name, _, _ in self._model.input_specs]
        self._inputs = {name: spec(name, shape, dtype) for name, (_, shape, dtype) in zip(names, self._model.input_specs)}
        self._outputs = {name: spec(name, shape, dtype) for name, shape, dtype in self._model.output_specs}
        self._lock = threading.Lock()

    @property
    def inputs(self):
        return self._inputs

    @property
    def outputs(self):
        return self._outputs

    def predict_batch(self, features):
        arrays = [features[name] for name in self._inputs]
        with self._lock:
            outputs = self._model.predict(arrays if len(arrays) > 1 else arrays[0], batch_size=max(len(arrays[0]), 1))
        if not isinstance(outputs, list):
            outputs = [outputs]
        return {name: np.asarray(value) for name, value in zip(self._outputs, outputs)}

    def close(self):
        self._model = None
