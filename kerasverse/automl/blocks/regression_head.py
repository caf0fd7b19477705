"""`RegressionHead`: real-valued targets (one or several outputs)."""

import keras
import numpy as np

from kerasverse.automl.block import one_input
from kerasverse.automl.block import tunable
from kerasverse.automl.blocks.spatial_reduction import SpatialReduction
from kerasverse.automl.head import Head


class RegressionHead(Head):
    """Regression: a linear output layer, mean squared error. With
    `standardize_targets` the output layer is a Dense layer followed by a
    `Rescaling` to the training targets' mean and standard deviation (learned
    in `fit`, saved with the head), so a model starts at the targets' scale;
    the model outputs raw target values either way.

    Args:
        output_dim: The number of outputs (default: the targets' columns).
        loss: A Keras loss (default "mean_squared_error").
        metrics: Keras metrics (default ["mean_squared_error"]).
        dropout: Dropout before the output layer (default: searched in 0, 0.25, 0.5).
        standardize_targets: Rescale the output to the training targets' mean
            and standard deviation (default True; `TimeseriesForecaster`
            turns it off: on a trending series it extrapolated worse).
        name: The head's name (the output layer's name).

    Example:

    ```python
    output_node = ak.RegressionHead()(ak.DenseBlock()(ak.Input()))
    ```
    """

    def __init__(self, output_dim=None, loss="mean_squared_error", metrics=None, dropout=None,
                 standardize_targets=True, **kwargs):
        super().__init__(loss=loss, metrics=metrics, **kwargs)
        self.standardize_targets = standardize_targets
        self.output_dim = output_dim
        self.dropout = dropout
        self.target_ndim = None
        self.target_mean = None
        self.target_std = None

    default_loss = "mean_squared_error"
    default_metrics = ["mean_squared_error"]

    def fit_targets(self, y):
        y = np.asarray(y)
        if y.dtype.kind not in "biuf":
            try:
                y = y.astype("float64")
            except (TypeError, ValueError):
                raise ValueError(
                    "Regression targets must be numbers. Received: y with dtype "
                    f"{y.dtype} (e.g. {y.reshape(-1)[0]!r}). For labels use a classifier."
                ) from None
        self.check_targets(y)
        self.target_ndim = y.ndim
        dim = 1 if y.ndim == 1 else int(np.prod(y.shape[1:]))
        if self.output_dim is not None and int(self.output_dim) != dim:
            raise ValueError(f"output_dim={self.output_dim} but the targets have {dim} columns. Received: y with shape {y.shape}.")
        self.output_dim = dim
        self.shape = (None, dim)
        # The output layer starts at the targets' scale: Dense then `x * std + mean`
        # (targets such as diabetes' 25-346 are otherwise a few epochs away from
        # the initial outputs near 0).
        if not self.standardize_targets:
            return
        columns = y.reshape(len(y), -1).astype("float64")
        self.target_mean = [float(v) for v in columns.mean(axis=0)]
        self.target_std = [float(v) if v > 0 else 1.0 for v in columns.std(axis=0)]

    def encode_targets(self, y):
        y = np.asarray(y, dtype="float32")
        return y.reshape(len(y), -1)

    def decode(self, outputs):
        outputs = np.asarray(outputs)
        return outputs.reshape(-1) if self.target_ndim == 1 else outputs

    def get_state(self):
        return {**super().get_state(), "output_dim": self.output_dim, "target_ndim": self.target_ndim,
                "target_mean": self.target_mean, "target_std": self.target_std}

    def set_state(self, state):
        super().set_state(state)
        self.output_dim = state["output_dim"]
        self.target_ndim = state["target_ndim"]
        self.target_mean = state.get("target_mean")
        self.target_std = state.get("target_std")

    def build(self, hp, inputs=None):
        x = one_input(self, inputs)
        if len(x.shape) > 2:
            x = self.build_child(hp, SpatialReduction(), [x])
        dropout = tunable(hp, "dropout", self.dropout, lambda: hp.Choice("dropout", [0.0, 0.25, 0.5], default=0.0))
        if dropout:
            x = keras.layers.Dropout(float(dropout))(x)
        if self.target_mean is None:
            return keras.layers.Dense(int(self.output_dim), name=self.name)(x)
        x = keras.layers.Dense(int(self.output_dim), name=f"{self.name}_dense")(x)
        scale, offset = self.target_std, self.target_mean
        if len(scale) == 1:
            scale, offset = scale[0], offset[0]
        return keras.layers.Rescaling(scale=scale, offset=offset, name=self.name)(x)

    def get_config(self):
        return {**super().get_config(), "output_dim": self.output_dim, "dropout": self.dropout,
                "standardize_targets": self.standardize_targets}
