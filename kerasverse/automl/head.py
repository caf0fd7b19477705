"""`Head`: the extension point for a model output (its layers, loss, metrics and targets)."""

import numpy as np

from kerasverse.automl.block import Block


class Head(Block):
    """A model output: its last layers, loss, metrics and host-side target codec.

    Call order at `fit`: `fit_targets(y)` (learns the target format on the
    training targets), then `encode_targets(y)` for every split; at each
    trial `build(hp, inputs)` returns the output tensor; `predict` passes
    the model's outputs through `decode(outputs)`, so labels come back in the
    form they came in. `get_state`/`set_state` save the codec beside the
    model (a dict of JSON values).

    Args:
        loss: A Keras loss (name, function or object). Default per head.
        metrics: A list of Keras metrics. Default per head.
        name: The head's name (default `classification_head_1`, ...); the
            Keras output layer gets this name.

    Example:

    ```python
    class QuantileHead(ak.Head):
        def build(self, hp, inputs=None):
            return keras.layers.Dense(1, name=self.name)(inputs[0])
    ```
    """

    def __init__(self, loss=None, metrics=None, name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        self.loss = loss
        self.metrics = metrics
        self.shape = None

    def fit_targets(self, y):
        """Learns the target format from the training targets `y` (numpy)."""
        y = np.asarray(y)
        self.shape = (None,) + tuple(y.shape[1:]) if y.ndim > 1 else (None, 1)

    def encode_targets(self, y):
        """The targets as the model trains on them (float32 numpy)."""
        y = np.asarray(y, dtype="float32")
        return y.reshape(len(y), -1) if y.ndim == 1 else y

    def decode(self, outputs):
        """The model's outputs in the form of the targets."""
        return outputs

    def get_state(self):
        return {"shape": None if self.shape is None else list(self.shape)}

    def set_state(self, state):
        self.shape = None if state.get("shape") is None else tuple(state["shape"])

    def check_targets(self, y, name="y"):
        """Raises a clear error for targets this head cannot learn from."""
        y = np.asarray(y)
        if y.dtype.kind in "fc" and np.isnan(y).any():
            rows = np.flatnonzero(np.isnan(y.reshape(len(y), -1)).any(axis=1))
            raise ValueError(
                f"The targets contain NaN values ({len(rows)} rows, first at index "
                f"{int(rows[0])}). Drop or fill these rows before `fit`. Received: {name} "
                f"with shape {y.shape} and dtype {y.dtype}."
            )
        if y.dtype == object:
            missing = [i for i, v in enumerate(y.reshape(len(y), -1)[:, 0]) if v is None or v != v]
            if missing:
                raise ValueError(
                    f"The targets contain missing values ({len(missing)} rows, first at index "
                    f"{missing[0]}). Drop or fill these rows before `fit`. Received: {name} "
                    f"with dtype object."
                )
