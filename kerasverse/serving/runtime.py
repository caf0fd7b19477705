"""`Runtime`: the extension point that runs one loaded model version."""

import abc

import numpy as np

from kerasverse.serving.tensor_spec import TensorSpec


class Runtime(abc.ABC):
    """One loaded model version: its signature and how to run it.

    The server calls, in this order: `inputs`/`outputs` (the signature shown
    by the metadata routes and used to parse requests), then per request
    `preprocess(raw)` on a request thread (host-side work such as a fitted
    transform or a tokenizer; the identity by default), then `predict_batch`
    on the batching thread with the rows of one or more requests merged
    (padded to a batch bucket, so a compiled model sees a few batch sizes
    only), and `close()` once the version is unloaded and no request uses it.

    Subclasses set `name` (shown in the status route, e.g. `"keras-jax"`,
    `"onnxruntime"`).

    Example:

    ```python
    class Doubler(Runtime):
        name = "doubler"
        inputs = {"x": TensorSpec("x", "float32", (None, 3))}
        outputs = {"y": TensorSpec("y", "float32", (None, 3))}

        def predict_batch(self, features):
            return {"y": features["x"] * 2}
    ```
    """

    name: str = "runtime"

    @property
    @abc.abstractmethod
    def inputs(self) -> dict[str, TensorSpec]:
        """The request's inputs by name, in signature order."""

    @property
    @abc.abstractmethod
    def outputs(self) -> dict[str, TensorSpec]:
        """The response's outputs by name, in signature order."""

    @property
    def model_inputs(self) -> dict[str, TensorSpec]:
        """The inputs of `predict_batch` (after `preprocess`); `inputs` by default."""
        return self.inputs

    def preprocess(self, inputs: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Host-side work on one request's checked inputs; returns `model_inputs` arrays."""
        return inputs

    @abc.abstractmethod
    def predict_batch(self, features: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Runs the model on a batch (first axis) and returns the outputs by name."""

    def close(self) -> None:  # noqa: B027 -- optional hook
        """Releases the model (called once, after the last in-flight request)."""
