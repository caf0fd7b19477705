"""`Quantizer` and the built-in quantizers (`tfmot.quantization.keras.quantizers`).

A quantizer fake-quantizes one tensor: `build` creates the variables it needs
on the wrapping layer, `__call__(inputs, training, weights)` returns the
quantized tensor. Custom `QuantizeConfig`s return them from
`get_weights_and_quantizers` / `get_activations_and_quantizers` /
`get_output_quantizers`. Everything is `keras.ops`, so the range updates run
inside the jitted training step on JAX and in PyTorch's loop.
"""

import abc

import keras
from keras import ops

SUPPORTED_BITS = range(2, 9)


def check_num_bits(num_bits, name="num_bits"):
    """Validates a bit width (2 to 8, what LiteRT's fake-quant ops take)."""
    if isinstance(num_bits, bool) or not isinstance(num_bits, int) or num_bits not in SUPPORTED_BITS:
        raise ValueError(
            f"Argument `{name}` must be an integer from 2 to 8. Received: {name}={num_bits!r}. "
            "Use 8 for int8, 4 for int4 weights."
        )
    return num_bits


def fake_quant(inputs, low, high, num_bits, narrow_range, per_axis):
    """Fake-quantizes `inputs` to the `num_bits` grid of `[low, high]` (per last axis or not)."""
    return keras.quantizers.fake_quant_with_min_max_vars(
        inputs, low, high, num_bits=num_bits, narrow_range=narrow_range, axis=-1 if per_axis else None
    )


def observed_range(tensor, per_axis, symmetric, num_bits=8, narrow_range=False):
    """`(min, max)` of `tensor` (per last axis or whole), always containing 0.

    Symmetric ranges follow tfmot: with `narrow_range` `[-a, a]`; without
    it, the two's complement grid `[-2^(b-1), 2^(b-1) - 1] * step` that just
    covers the tensor (the negative side one step longer).
    """
    tensor = ops.stop_gradient(ops.cast(tensor, "float32"))
    if per_axis:
        flat = ops.reshape(tensor, (-1, tensor.shape[-1]))
        low, high = ops.min(flat, axis=0), ops.max(flat, axis=0)
    else:
        low, high = ops.min(tensor), ops.max(tensor)
    low, high = ops.minimum(low, 0.0), ops.maximum(high, 0.0)
    if symmetric and narrow_range:
        high = ops.maximum(ops.maximum(-low, high), 1e-8)
        low = -high
    elif symmetric:
        ratio = -((1 << num_bits) - 2) / float(1 << num_bits)
        low, high = ops.minimum(low, high / ratio), ops.maximum(high, low * ratio)
    return low, ops.maximum(high, low + 1e-6)


class Quantizer(abc.ABC):
    """Base class of quantizers: how one tensor is fake-quantized.

    Subclasses implement `build(tensor_shape, name, layer)` (create the
    variables the quantizer needs with `layer.add_weight` and return them in
    a dict), `__call__(inputs, training, weights, **kwargs)` (return the
    quantized tensor, with `keras.ops` only) and `get_config()`.

    Example:

    ```python
    class FixedRangeQuantizer(quantization.quantizers.Quantizer):
        def build(self, tensor_shape, name, layer):
            return {}

        def __call__(self, inputs, training, weights, **kwargs):
            return keras.ops.clip(inputs, -1.0, 1.0)

        def get_config(self):
            return {}
    ```
    """

    @abc.abstractmethod
    def build(self, tensor_shape, name, layer):
        """Creates the quantizer's variables on `layer`; returns them as a dict."""

    @abc.abstractmethod
    def __call__(self, inputs, training, weights, **kwargs):
        """Returns `inputs` quantized, using the variables in `weights`."""

    @abc.abstractmethod
    def get_config(self):
        """The constructor arguments, for serialization."""

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __eq__(self, other):
        return type(self) is type(other) and self.get_config() == other.get_config()

    def __hash__(self):
        return hash((type(self).__name__, tuple(sorted(self.get_config().items()))))


class _RangeQuantizer(Quantizer):
    """Shared by the quantizers that keep a `[min, max]` range in variables."""

    def __init__(self, num_bits, per_axis, symmetric, narrow_range):
        self.num_bits = check_num_bits(num_bits)
        self.per_axis = bool(per_axis)
        self.symmetric = bool(symmetric)
        self.narrow_range = bool(narrow_range)

    def build(self, tensor_shape, name, layer):
        shape = (tensor_shape[-1],) if self.per_axis else ()
        if self.per_axis and (tensor_shape is None or tensor_shape[-1] is None):
            raise ValueError(
                f"`{type(self).__name__}(per_axis=True)` needs the last axis of '{name}'. "
                f"Received: tensor_shape={tensor_shape!r}."
            )
        weights = {
            "min_var": layer.add_weight(
                name=f"{name}_min", shape=shape, initializer="zeros", trainable=False
            ),
            "max_var": layer.add_weight(
                name=f"{name}_max", shape=shape, initializer="zeros", trainable=False
            ),
            "initialized": layer.add_weight(
                name=f"{name}_initialized", shape=(), initializer="zeros", trainable=False
            ),
        }
        return weights

    def _quantize(self, inputs, weights):
        low = ops.stop_gradient(ops.convert_to_tensor(weights["min_var"]))
        high = ops.stop_gradient(ops.convert_to_tensor(weights["max_var"]))
        high = ops.maximum(high, low + 1e-6)
        return fake_quant(inputs, low, high, self.num_bits, self.narrow_range, self.per_axis)

    def get_config(self):
        return {
            "num_bits": self.num_bits,
            "per_axis": self.per_axis,
            "symmetric": self.symmetric,
            "narrow_range": self.narrow_range,
        }


@keras.saving.register_keras_serializable(package="kerasverse")
class LastValueQuantizer(_RangeQuantizer):
    """Quantizes with the range of the tensor's current value (used for weights).

    The range is recomputed from the tensor at every call and stored in the
    `min_var`/`max_var` variables in training, so the quantized weights
    always follow the float weights (the rounding's gradient passes straight
    through).

    Args:
        num_bits: 2 to 8.
        per_axis: one range per last-axis channel (output channel of a kernel).
        symmetric: range `[-max|x|, max|x|]`.
        narrow_range: drop the lowest level (e.g. int8 in [-127, 127]).

    Example:

    >>> from kerasverse.optimize import quantization
    >>> q = quantization.quantizers.LastValueQuantizer(4, per_axis=False, symmetric=True, narrow_range=True)
    >>> q.get_config()["num_bits"]
    4
    """

    def __call__(self, inputs, training, weights, **kwargs):
        low, high = observed_range(inputs, self.per_axis, self.symmetric, self.num_bits, self.narrow_range)
        if training:
            weights["min_var"].assign(low)
            weights["max_var"].assign(high)
            weights["initialized"].assign(1.0)
        return fake_quant(inputs, low, high, self.num_bits, self.narrow_range, self.per_axis)


@keras.saving.register_keras_serializable(package="kerasverse")
class MovingAverageQuantizer(_RangeQuantizer):
    """Quantizes with a moving average of the ranges seen in training (activations).

    The first training batch sets the range, later ones move it by
    `ema_decay`. Before any training the tensor passes through unchanged.

    Args:
        num_bits: 2 to 8.
        per_axis: one range per last-axis channel.
        symmetric: range `[-max|x|, max|x|]`.
        narrow_range: drop the lowest level.
        ema_decay: decay of the moving average.

    Example:

    >>> from kerasverse.optimize import quantization
    >>> q = quantization.quantizers.MovingAverageQuantizer(8, False, False, False)
    >>> q.get_config()["symmetric"]
    False
    """

    def __init__(self, num_bits, per_axis, symmetric, narrow_range, ema_decay=0.999):
        super().__init__(num_bits, per_axis, symmetric, narrow_range)
        self.ema_decay = float(ema_decay)

    def __call__(self, inputs, training, weights, **kwargs):
        initialized = ops.convert_to_tensor(weights["initialized"]) > 0
        if training:
            low, high = observed_range(inputs, self.per_axis, self.symmetric, self.num_bits, self.narrow_range)
            decay = self.ema_decay
            old_low, old_high = weights["min_var"], weights["max_var"]
            weights["min_var"].assign(ops.where(initialized, decay * old_low + (1 - decay) * low, low))
            weights["max_var"].assign(ops.where(initialized, decay * old_high + (1 - decay) * high, high))
            weights["initialized"].assign(1.0)
            initialized = ops.convert_to_tensor(True)
        return ops.where(initialized, self._quantize(inputs, weights), inputs)

    def get_config(self):
        return {**super().get_config(), "ema_decay": self.ema_decay}


@keras.saving.register_keras_serializable(package="kerasverse")
class AllValuesQuantizer(_RangeQuantizer):
    """Quantizes with the widest range seen in training (min of mins, max of maxes).

    Args:
        num_bits: 2 to 8.
        per_axis: one range per last-axis channel.
        symmetric: range `[-max|x|, max|x|]`.
        narrow_range: drop the lowest level.
    """

    def __call__(self, inputs, training, weights, **kwargs):
        initialized = ops.convert_to_tensor(weights["initialized"]) > 0
        if training:
            low, high = observed_range(inputs, self.per_axis, self.symmetric, self.num_bits, self.narrow_range)
            weights["min_var"].assign(ops.where(initialized, ops.minimum(weights["min_var"], low), low))
            weights["max_var"].assign(ops.where(initialized, ops.maximum(weights["max_var"], high), high))
            weights["initialized"].assign(1.0)
            initialized = ops.convert_to_tensor(True)
        return ops.where(initialized, self._quantize(inputs, weights), inputs)


@keras.saving.register_keras_serializable(package="kerasverse")
class FixedQuantizer(Quantizer):
    """Quantizes to a fixed range `[init_min, init_max]`.

    Args:
        num_bits: 2 to 8.
        init_min: lower end of the range.
        init_max: upper end of the range.
        narrow_range: drop the lowest level.
    """

    def __init__(self, num_bits, init_min=-6.0, init_max=6.0, narrow_range=False):
        self.num_bits = check_num_bits(num_bits)
        if not init_min < init_max:
            raise ValueError(
                "`FixedQuantizer` needs init_min < init_max. "
                f"Received: init_min={init_min!r}, init_max={init_max!r}."
            )
        self.init_min, self.init_max = float(init_min), float(init_max)
        self.narrow_range = bool(narrow_range)

    def build(self, tensor_shape, name, layer):
        return {}

    def __call__(self, inputs, training, weights, **kwargs):
        return fake_quant(inputs, self.init_min, self.init_max, self.num_bits, self.narrow_range, False)

    def get_config(self):
        return {
            "num_bits": self.num_bits,
            "init_min": self.init_min,
            "init_max": self.init_max,
            "narrow_range": self.narrow_range,
        }


@keras.saving.register_keras_serializable(package="kerasverse")
class NoQuantizer(Quantizer):
    """Leaves the tensor unchanged."""

    def build(self, tensor_shape, name, layer):
        return {}

    def __call__(self, inputs, training, weights, **kwargs):
        return inputs

    def get_config(self):
        return {}
