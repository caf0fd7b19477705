"""`TimeseriesBlock`: the forecasting search space on windows (dense or recurrent)."""

import numpy as np

from kerasverse.automl.block import Block
from kerasverse.automl.block import one_input
from kerasverse.automl.block import tunable
from kerasverse.automl.blocks.dense_block import DenseBlock
from kerasverse.automl.blocks.normalization import Normalization
from kerasverse.automl.blocks.rnn_block import RNNBlock

# Ridge penalties tried for the linear start, per training window, on the
# standardized window (0 is ordinary least squares).
PENALTIES = (0.0, 1e-5, 3e-5, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3, 1.0, 3.0, 10.0)


class TimeseriesBlock(Block):
    """Standardized windows `(batch, lookback, features)` into a DenseBlock
    on the flattened window ("dense") or an RNNBlock ("rnn"), concatenated
    with the flattened window itself (a linear autoregressive path).

    The head's output layer on this concatenation is a linear autoregression
    plus a learned nonlinear part. `linear_start` sets it to the closed-form
    least-squares autoregression (the nonlinear part starting at zero), so
    training only has to learn what the linear model misses.

    Args:
        block_type: "dense" or "rnn" (default searched).
        name: The block's name.

    Example:

    ```python
    output_node = ak.TimeseriesBlock(block_type="rnn")(ak.TimeseriesInput(lookback=24))
    ```
    """

    def __init__(self, block_type=None, **kwargs):
        super().__init__(**kwargs)
        self.block_type = block_type

    def build(self, hp, inputs=None):
        x = one_input(self, inputs)
        x = self.build_child(hp, Normalization(), [x])
        block_type = tunable(hp, "block_type", self.block_type, lambda: hp.Choice("block_type", ["dense", "rnn"], default="dense"))
        if self.block_type is None:
            with hp.conditional_scope("block_type", [block_type]):
                return self._build_type(hp, block_type, x)
        return self._build_type(hp, block_type, x)

    def _build_type(self, hp, block_type, x):
        import keras

        features = self.build_child(hp, RNNBlock(), [x]) if block_type == "rnn" else self.build_child(hp, DenseBlock(), [x])
        # A linear path from the (standardized) window to the head: the model is
        # an autoregression plus a learned nonlinear part, so it extrapolates a trend.
        window = keras.layers.Flatten(name=f"{self.name}_window")(x)
        return keras.layers.Concatenate(name=f"{self.name}_features")([features, window])

    def get_config(self):
        return {**super().get_config(), "block_type": self.block_type}


def _linear_path(model):
    """(sub-model to the flattened windows, output Dense) of a model whose only
    output is a Dense layer on a TimeseriesBlock's concatenation; else None."""
    import keras

    if len(model.outputs) != 1 or not model.layers or not isinstance(model.layers[-1], keras.layers.Dense):
        return None
    dense = model.layers[-1]
    for layer in model.layers:
        if not (isinstance(layer, keras.layers.Concatenate) and layer.name.endswith("_features")):
            continue
        try:
            window = model.get_layer(f"{layer.name[: -len('_features')]}_window")
        except ValueError:
            continue
        if dense.use_bias and dense.kernel.shape[0] == layer.output.shape[-1]:
            return keras.Model(model.inputs, window.output), dense
    return None


def _ridge(z, y, penalties):
    """The ridge solutions `(coef, intercept, degrees of freedom)` of `y ~ z`,
    one per penalty (times the number of rows; the intercept is not penalized)."""
    z, y = np.asarray(z, "float64"), np.asarray(y, "float64").reshape(len(z), -1)
    z_mean, y_mean = z.mean(axis=0), y.mean(axis=0)
    centered = z - z_mean
    eigenvalues, vectors = np.linalg.eigh(centered.T @ centered)
    projected = vectors.T @ (centered.T @ (y - y_mean))
    # Directions without variance (constant features) get no weight.
    kept = eigenvalues > max(eigenvalues.max(), 0.0) * 1e-10
    solutions = []
    for penalty in penalties:
        shrunk = np.where(kept, eigenvalues, 0.0) + penalty * len(z)
        inverse = np.where(kept, 1.0 / np.where(kept, shrunk, 1.0), 0.0)
        coef = vectors @ (inverse[:, None] * projected)
        dof = 1.0 + float(np.sum(np.where(kept, eigenvalues, 0.0) * inverse))
        solutions.append((coef, y_mean - z_mean @ coef, dof))
    return solutions


def linear_start(model, x, y, validation_data=None, penalty=None):
    """Sets a forecaster model's output layer to the ridge autoregression of
    `y` on the model's standardized windows of `x`, the nonlinear features'
    weights to zero (the model then predicts exactly the linear fit).

    The penalty is `penalty` when given; else the one of `PENALTIES` with the
    lowest mean squared error on `validation_data` (fitted on `(x, y)`); else
    the one with the lowest generalized cross-validation error on `(x, y)`.

    Returns:
        The penalty used, or None when `model` has no linear path to start
        (another graph than TimeseriesBlock -> head, or a rescaled output).
    """
    path = _linear_path(model)
    if path is None or x is None or y is None:
        return None
    windows, dense = path
    z = windows.predict(x, batch_size=1024, verbose=0).astype("float64")
    y = np.asarray(y, "float64").reshape(len(z), -1)
    if y.shape[1] != dense.kernel.shape[1]:
        return None
    if penalty is None:
        candidates = _ridge(z, y, PENALTIES)
        if validation_data is not None:
            z_val = windows.predict(validation_data[0], batch_size=1024, verbose=0).astype("float64")
            y_val = np.asarray(validation_data[1], "float64").reshape(len(z_val), -1)
            errors = [np.mean((z_val @ coef + intercept - y_val) ** 2) for coef, intercept, _ in candidates]
        else:  # Generalized cross-validation on the training rows.
            errors = [np.mean((z @ coef + intercept - y) ** 2) / max(1.0 - dof / len(z), 1e-12) ** 2
                      for coef, intercept, dof in candidates]
        index = int(np.argmin(errors))
        penalty, (coef, intercept, _) = PENALTIES[index], candidates[index]
    else:
        (coef, intercept, _), = _ridge(z, y, [penalty])
    kernel = np.zeros(tuple(dense.kernel.shape), "float32")
    kernel[-z.shape[1]:] = coef
    dense.kernel.assign(kernel)
    dense.bias.assign(intercept.astype("float32"))
    return float(penalty)
