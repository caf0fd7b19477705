"""`KerasRuntime`: serves a Keras 3 model on the current backend (`.keras` and `.kvz` files)."""

import importlib
import json
import os
import threading
import zipfile

import numpy as np

from kerasverse.serving.runtime import Runtime
from kerasverse.serving.tensor_spec import TensorSpec
from kerasverse.serving.tensor_spec import dtype_name

TEXT_INPUT = "text"


class KerasRuntime(Runtime):
    """A Keras model, called as one compiled function per batch size.

    On JAX the model runs as `jax.jit(model.stateless_call)` over the weights
    captured at load time (a pure function: request threads never touch Keras
    state); on PyTorch as `model(x, training=False)` under `torch.no_grad()`.
    A model with a `preprocessor` (a KerasHub-style task such as
    `BertSentenceEmbedder`) takes raw strings in one `"text"` input, and the
    preprocessor runs host-side per request.

    Args:
        model: a built functional or Sequential `keras.Model`.

    Example:

    ```python
    runtime = KerasRuntime(keras.saving.load_model("model.keras"))
    runtime.predict_batch({"x": np.zeros((2, 4), "float32")})
    ```
    """

    def __init__(self, model):
        import keras

        if not getattr(model, "inputs", None) or not getattr(model, "outputs", None):
            raise ValueError(
                f"KerasRuntime serves functional and Sequential models with known inputs. Received: a "
                f"{type(model).__name__} without `inputs`; build it from `keras.Input` or save a functional model."
            )
        self.model = model
        self.backend = keras.config.backend()
        self.name = f"keras-{self.backend}"
        self._input_layers = [tensor._keras_history[0].name for tensor in model.inputs]
        self._dict_inputs = isinstance(model._inputs_struct, dict) if hasattr(model, "_inputs_struct") else False
        if self._dict_inputs:
            self._input_keys = list(model._inputs_struct.keys())
        self._model_inputs = {
            name: TensorSpec(name, dtype_name(tensor.dtype), tuple(tensor.shape))
            for name, tensor in zip(self._input_keys if self._dict_inputs else self._input_layers, model.inputs)
        }
        output_names = getattr(model, "output_names", None) or [t._keras_history[0].name for t in model.outputs]
        self._outputs = {
            name: TensorSpec(name, dtype_name(tensor.dtype), tuple(tensor.shape))
            for name, tensor in zip(output_names, model.outputs)
        }
        self.preprocessor = getattr(model, "preprocessor", None)
        if self.preprocessor is not None:
            self._inputs = {TEXT_INPUT: TensorSpec(TEXT_INPUT, "string", (None,))}
        else:
            self._inputs = self._model_inputs
        self._lock = threading.Lock()
        self._call = self._jax_call() if self.backend == "jax" else self._eager_call

    @property
    def inputs(self):
        return self._inputs

    @property
    def outputs(self):
        return self._outputs

    @property
    def model_inputs(self):
        return self._model_inputs

    def preprocess(self, inputs):
        if self.preprocessor is None:
            return inputs
        texts = [t.decode("utf-8", "replace") if isinstance(t, bytes) else str(t) for t in inputs[TEXT_INPUT].tolist()]
        packed = self.preprocessor(texts)
        if isinstance(packed, tuple):
            packed = packed[0]
        return {name: np.asarray(packed[name]).astype(spec.dtype) for name, spec in self._model_inputs.items()}

    def predict_batch(self, features):
        if self._dict_inputs:
            x = {name: features[name] for name in self._model_inputs}
        elif len(self._model_inputs) == 1:
            x = features[next(iter(self._model_inputs))]
        else:
            x = [features[name] for name in self._model_inputs]
        outputs = self._call(x)
        if isinstance(outputs, dict):
            outputs = [outputs[name] for name in self._outputs]
        elif not isinstance(outputs, (list, tuple)):
            outputs = [outputs]
        return {name: np.asarray(value) for name, value in zip(self._outputs, outputs)}

    def _jax_call(self):
        import jax

        model = self.model
        trainable = [v.value for v in model.trainable_variables]
        non_trainable = [v.value for v in model.non_trainable_variables]

        @jax.jit
        def call(trainable, non_trainable, x):
            outputs, _ = model.stateless_call(trainable, non_trainable, x, training=False)
            return outputs

        return lambda x: call(trainable, non_trainable, x)

    def _eager_call(self, x):
        import keras

        if self.backend == "torch":
            import torch

            with self._lock, torch.no_grad():
                outputs = self.model(x, training=False)
        else:
            with self._lock:
                outputs = self.model(x, training=False)
        return keras.tree.map_structure(keras.ops.convert_to_numpy, outputs)

    def close(self):
        self._call = None
        self.model = None


def import_custom_objects(path: str) -> None:
    """Imports the kerasverse modules a `.keras` file's config names, so their classes are registered."""
    try:
        with zipfile.ZipFile(path) as archive:
            config = archive.read("config.json").decode("utf-8")
    except (KeyError, zipfile.BadZipFile, OSError):
        return
    modules = set()
    for item in _walk(json.loads(config)):
        module = item.get("module") if isinstance(item, dict) else None
        if isinstance(module, str) and module.startswith("kerasverse."):
            modules.add(module)
    for module in sorted(modules):
        try:
            importlib.import_module(module)
        except ImportError:
            pass


def _walk(node):
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def load_keras(path: str, safe_mode: bool = True) -> KerasRuntime:
    """Loads a `.keras` file with `safe_mode` (Lambda layers refused) into a `KerasRuntime`."""
    import keras

    import_custom_objects(path)
    try:
        model = keras.saving.load_model(path, safe_mode=safe_mode, compile=False)
    except ValueError as error:
        if "safe_mode" in str(error) or "Lambda" in str(error):
            raise ValueError(
                f"Refused to load {os.path.basename(path)!r} with safe_mode=True: it holds Python code (a Lambda "
                f"layer). Serve it only if you trust the file: start the server with --unsafe_deserialization. "
                f"Keras said: {error}"
            ) from None
        raise
    return KerasRuntime(model)


def load_kvz(path: str) -> KerasRuntime:
    """Loads a `.kvz` file (`kerasverse.optimize.save_compressed`) into a `KerasRuntime`."""
    from kerasverse.optimize import load_compressed

    return KerasRuntime(load_compressed(path))
