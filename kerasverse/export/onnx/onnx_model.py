"""`OnnxModel`: runs an `.onnx` file in onnxruntime."""

import os

import numpy as np

from kerasverse.export.litert import io_utils

_ORT_TYPES = {
    "tensor(float)": "float32",
    "tensor(double)": "float64",
    "tensor(float16)": "float16",
    "tensor(int8)": "int8",
    "tensor(uint8)": "uint8",
    "tensor(int32)": "int32",
    "tensor(int64)": "int64",
    "tensor(bool)": "bool",
}


class OnnxModel:
    """An `.onnx` model in an onnxruntime `InferenceSession`, with a Keras-like `predict`.

    Inputs are checked against the file's input shapes and types and cast to
    them; a dynamic batch dimension takes any batch size, a fixed one is
    padded for the last, smaller batch.

    Args:
        filepath: path of an `.onnx` file.
        num_threads: intra-op threads (`None`: onnxruntime's default).

    Example:

    ```python
    from kerasverse.export.onnx import OnnxModel

    probabilities = OnnxModel("digits.onnx").predict(x_test, batch_size=64)
    ```
    """

    def __init__(self, filepath, num_threads=None):
        filepath = os.fspath(filepath)
        if not os.path.exists(filepath):
            raise FileNotFoundError(f"No ONNX file at {filepath!r}.")
        try:
            import onnxruntime
        except ImportError:
            raise ImportError(
                "OnnxModel needs onnxruntime: `pip install 'kerasverse[onnx]'`."
            ) from None
        options = onnxruntime.SessionOptions()
        if num_threads:
            options.intra_op_num_threads = num_threads
        self.filepath = filepath
        self._session = onnxruntime.InferenceSession(
            filepath, options, providers=["CPUExecutionProvider"]
        )

    @property
    def input_specs(self):
        """`[(name, shape with None for dynamic dims, dtype)]` of the inputs."""
        return [_spec(node) for node in self._session.get_inputs()]

    @property
    def output_specs(self):
        return [_spec(node) for node in self._session.get_outputs()]

    def predict(self, x, batch_size=None):
        """Runs the model on `x` (an array, or a list of arrays for multi-input models).

        Args:
            x: inputs, first axis = samples.
            batch_size: samples per session run; defaults to the file's fixed
                batch size, or 32 when the batch dimension is dynamic.

        Returns:
            A numpy array (a list for multi-output models).
        """
        specs = self.input_specs
        arrays = io_utils.check_inputs(x, specs, "OnnxModel")
        fixed_batch = specs[0][1][0]
        batch_size = io_utils.check_batch_size(batch_size, fixed_batch, "OnnxModel")
        chunks = []
        for start in range(0, len(arrays[0]), batch_size):
            batch = [a[start : start + batch_size] for a in arrays]
            size = len(batch[0])
            if fixed_batch is not None:
                batch = [io_utils.pad_batch(b, fixed_batch) for b in batch]
            feed = {
                name: io_utils.to_input(b, dtype)
                for b, (name, _, dtype) in zip(batch, specs)
            }
            chunks.append([o[:size] for o in self._session.run(None, feed)])
        outputs = [
            np.concatenate([c[i] for c in chunks]) for i in range(len(chunks[0]))
        ]
        return outputs[0] if len(outputs) == 1 else outputs

    def __repr__(self):
        return f"OnnxModel({self.filepath!r}, inputs={self.input_specs}, outputs={self.output_specs})"


def _spec(node):
    shape = tuple(d if isinstance(d, int) and d >= 0 else None for d in node.shape)
    return (node.name, shape, _ORT_TYPES.get(node.type, "float32"))
