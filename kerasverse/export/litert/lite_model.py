"""`LiteModel`: runs a `.tflite` file in the LiteRT runtime (`ai-edge-litert`)."""

import os

import numpy as np

from kerasverse.export.litert import io_utils


class LiteModel:
    """A `.tflite` model loaded in LiteRT's `Interpreter`, with a Keras-like `predict`.

    `predict` takes float inputs for every model: for full-integer (`int8`)
    models it quantizes inputs with the file's scale and zero point and
    dequantizes the outputs back to float32. The batch dimension is resized
    to the batch being run, so one file serves any batch size.

    Args:
        filepath: path of a `.tflite` file.
        num_threads: interpreter threads (`None`: the runtime's default).

    Example:

    ```python
    from kerasverse.export.litert import LiteModel

    lite = LiteModel("digits_int8.tflite")
    probabilities = lite.predict(x_test, batch_size=32)
    ```
    """

    def __init__(self, filepath, num_threads=None):
        filepath = os.fspath(filepath)
        if not os.path.exists(filepath):
            raise FileNotFoundError(f"No LiteRT file at {filepath!r}.")
        try:
            from ai_edge_litert.interpreter import Interpreter
        except ImportError:
            raise ImportError(
                "LiteModel needs the LiteRT runtime: `pip install ai-edge-litert` "
                "(or `pip install 'kerasverse[litert]'`)."
            ) from None
        self.filepath = filepath
        self.num_threads = num_threads
        self._interpreter = Interpreter(model_path=filepath, num_threads=num_threads)
        self._interpreter.allocate_tensors()
        self.input_details = self._interpreter.get_input_details()
        self.output_details = self._interpreter.get_output_details()
        self._batch = None

    @property
    def input_specs(self):
        """`[(name, shape with None for dynamic dims, dtype)]` of the inputs."""
        return [_spec(detail) for detail in self.input_details]

    @property
    def output_specs(self):
        return [_spec(detail) for detail in self.output_details]

    @property
    def is_quantized(self):
        """True when inputs or outputs are integer-quantized (full-integer model)."""
        return any(
            io_utils.quantization_of(d) is not None
            for d in self.input_details + self.output_details
        )

    def predict(self, x, batch_size=None):
        """Runs the model on `x` (an array, or a list of arrays for multi-input models).

        Args:
            x: inputs, first axis = samples.
            batch_size: samples per interpreter call; defaults to the file's
                fixed batch size, or 32 when the batch dimension is dynamic.

        Returns:
            A float32 numpy array (a list for multi-output models).
        """
        specs = self.input_specs
        arrays = io_utils.check_inputs(x, specs, "LiteModel")
        num_samples = len(arrays[0])
        fixed_batch = specs[0][1][0]
        batch_size = io_utils.check_batch_size(batch_size, fixed_batch, "LiteModel")
        chunks = []
        for start in range(0, num_samples, batch_size):
            batch = [a[start : start + batch_size] for a in arrays]
            size = len(batch[0])
            if fixed_batch is not None and size != fixed_batch:
                batch = [io_utils.pad_batch(b, fixed_batch) for b in batch]
            chunks.append([o[:size] for o in self._run(batch)])
        outputs = [
            np.concatenate([c[i] for c in chunks])
            for i in range(len(self.output_details))
        ]
        return outputs[0] if len(outputs) == 1 else outputs

    def _run(self, batch):
        size = len(batch[0])
        if self._batch != size:
            for detail, array in zip(self.input_details, batch):
                if list(detail["shape"]) != list(array.shape):
                    self._interpreter.resize_tensor_input(
                        detail["index"], list(array.shape), strict=False
                    )
            self._interpreter.allocate_tensors()
            self.input_details = self._interpreter.get_input_details()
            self.output_details = self._interpreter.get_output_details()
            self._batch = size
        for detail, array in zip(self.input_details, batch):
            self._interpreter.set_tensor(
                detail["index"],
                io_utils.to_input(array, detail["dtype"], _quant(detail)),
            )
        self._interpreter.invoke()
        return [
            io_utils.from_output(
                self._interpreter.get_tensor(detail["index"]), _quant(detail)
            )
            for detail in self.output_details
        ]

    def __repr__(self):
        return f"LiteModel({self.filepath!r}, inputs={self.input_specs}, outputs={self.output_specs})"


def _quant(detail):
    return io_utils.quantization_of(detail)


def _spec(detail):
    signature = detail.get("shape_signature", detail["shape"])
    shape = tuple(None if int(d) < 0 else int(d) for d in signature)
    return (detail["name"], shape, np.dtype(detail["dtype"]).name)
