"""`QuantizeWrapper`: fake-quantizes a layer's weights and output for QAT."""

import keras
import numpy as np
from keras import ops

from kerasverse.optimize import _substitution
from kerasverse.optimize._weight_wrapper import WeightWrapper
from kerasverse.optimize.quantization.quantize_config import QuantizeConfig
from kerasverse.optimize.quantization.quantize_config import default_config
from kerasverse.optimize.quantization.quantizers import check_num_bits

NUM_BITS = 8


def per_channel_weight_range(weight, per_axis=True):
    """Symmetric range `(-max|w|, max|w|)`: per output channel (last axis) or whole tensor."""
    if not per_axis:
        max_abs = ops.maximum(ops.max(ops.abs(weight)), 1e-8)
        return -max_abs, max_abs
    channels = weight.shape[-1]
    flat = ops.reshape(ops.abs(weight), (-1, channels))
    max_abs = ops.maximum(ops.max(flat, axis=0), 1e-8)
    return -max_abs, max_abs


def fake_quantize_weight(weight, num_bits=NUM_BITS, per_axis=True):
    """Symmetric fake quantization of a weight (values on the `num_bits` grid).

    Narrow range: int8 in [-127, 127], int4 in [-7, 7], one scale per output
    channel (`per_axis=True`) or per tensor. Uses
    `keras.quantizers.fake_quant_with_min_max_vars` (straight-through
    gradient inside the range).
    """
    weight = ops.convert_to_tensor(weight)
    min_values, max_values = per_channel_weight_range(ops.stop_gradient(weight), per_axis)
    return keras.quantizers.fake_quant_with_min_max_vars(
        weight,
        min_values,
        max_values,
        num_bits=num_bits,
        narrow_range=True,
        axis=-1 if per_axis else None,
    )


class _QuantizingActivation:
    """`activation` followed by a quantizer (what a tfmot-style config receives)."""

    def __init__(self, activation, quantizer, weights, training):
        self.activation, self.quantizer = activation, quantizer
        self.weights, self.training = weights, training

    def __call__(self, x):
        return self.quantizer(self.activation(x), self.training, self.weights)


def _merge_depthwise_axes(value):
    """(..., in, multiplier) -> (..., in * multiplier): the output channels."""
    shape = tuple(value.shape)
    return ops.reshape(value, shape[:-2] + (shape[-2] * shape[-1],))


@keras.saving.register_keras_serializable(package="kerasverse")
class QuantizeWrapper(WeightWrapper):
    """Quantization-aware training wrapper (int8 weights and activations).

    In every call the weights named by the `QuantizeConfig` are replaced by
    their per-channel symmetric int8 fake-quantized values, and the output is
    fake-quantized to asymmetric int8 with a range learned in training: the
    first training batch sets `[min, max]` (always including 0) and later
    batches move it by an exponential moving average (`ema_decay`). Gradients
    pass straight through the rounding (`keras.quantizers.
    fake_quant_with_min_max_vars`). The range variables are updated inside the
    training step, so QAT works under `jax.jit` and with PyTorch. Before any
    training the output is left in float.

    Args:
        layer: the layer to quantize.
        quantize_config: a `QuantizeConfig`; defaults to the built-in one
            for the layer's class.
        quantize_inputs: also fake-quantize the first input with its own
            learned range (set for layers fed by the model's inputs).
        ema_decay: decay of the moving average of activation ranges.
        preserve_sparsity: keep zero weights at zero (for pruned models).
        preserve_clusters: keep each quantized weight's distinct values
            shared (for clustered models): the distinct values become
            trainable centroids with fixed assignments, and the weight
            itself is frozen. At most 256 distinct values per weight.
        cluster_counts: set by `get_config` (the number of centroids per
            weight, so a saved model rebuilds the same shapes); leave None.
        **kwargs: base layer arguments.

    Example:

    >>> import keras
    >>> from kerasverse.optimize import quantization
    >>> layer = quantization.QuantizeWrapper(keras.layers.Dense(2))
    >>> y = layer(keras.ops.ones((1, 3)), training=True)
    >>> low, high = layer.get_ranges()["outputs"]  # learned from this batch
    >>> low <= 0.0 <= high
    True
    """

    def __init__(
        self,
        layer,
        quantize_config=None,
        quantize_inputs=False,
        ema_decay=0.999,
        preserve_sparsity=False,
        preserve_clusters=False,
        cluster_counts=None,
        num_bits_weight=8,
        num_bits_activation=8,
        per_axis=True,
        **kwargs,
    ):
        if isinstance(layer, QuantizeWrapper):
            raise ValueError(
                f"Layer '{layer.name}' is already wrapped for quantization. Received a "
                "`QuantizeWrapper`. Pass the layer itself."
            )
        if isinstance(quantize_config, dict):
            quantize_config = keras.saving.deserialize_keras_object(quantize_config)
        if quantize_config is None:
            quantize_config = default_config(layer)
        if not isinstance(quantize_config, QuantizeConfig):
            from kerasverse.optimize.quantization.quantize_config import (
                unsupported_layer_error,
            )

            raise unsupported_layer_error(layer)
        if not 0.0 <= ema_decay < 1.0:
            raise ValueError(
                f"Argument `ema_decay` must be in [0, 1). Received: ema_decay={ema_decay!r}."
            )
        kwargs.setdefault("name", f"quant_{layer.name}")
        super().__init__(layer, **kwargs)
        self.quantize_config = quantize_config
        self.quantize_inputs = bool(quantize_inputs)
        self.ema_decay = float(ema_decay)
        self.preserve_sparsity = bool(preserve_sparsity)
        self.preserve_clusters = bool(preserve_clusters)
        self.cluster_counts = None if cluster_counts is None else list(cluster_counts)
        self.num_bits_weight = check_num_bits(num_bits_weight, "num_bits_weight")
        self.num_bits_activation = check_num_bits(num_bits_activation, "num_bits_activation")
        self.per_axis = bool(per_axis)
        self._slots = None

    def _range_variables(self, prefix):
        low = self.add_weight(
            name=f"{prefix}_min", shape=(), initializer="zeros", trainable=False
        )
        high = self.add_weight(
            name=f"{prefix}_max", shape=(), initializer="zeros", trainable=False
        )
        return low, high

    def _create_wrapper_variables(self):
        if hasattr(self, "ranges_initialized"):
            return
        if self.quantize_config.uses_quantizers():
            self._build_quantizers()
        self.output_min, self.output_max = self._range_variables("output")
        if self.quantize_inputs:
            self.input_min, self.input_max = self._range_variables("input")
        self.ranges_initialized = self.add_weight(
            name="ranges_initialized", shape=(), initializer="zeros", trainable=False
        )
        self.sparsity_masks = []
        if self.preserve_sparsity:
            for index, weight in enumerate(self.quantized_weights):
                mask = self.add_weight(
                    name=f"sparsity_mask_{index}",
                    shape=weight.shape,
                    initializer="ones",
                    trainable=False,
                )
                mask.assign(ops.cast(ops.not_equal(weight, 0), mask.dtype))
                self.sparsity_masks.append(mask)
        self.cluster_centroids, self.cluster_indices = [], []
        if self.preserve_clusters:
            self._create_cluster_variables()

    def _create_cluster_variables(self):
        counts = []
        for index, weight in enumerate(self.quantized_weights):
            values = np.asarray(keras.ops.convert_to_numpy(weight))
            unique, inverse = np.unique(values, return_inverse=True)
            count = len(unique) if self.cluster_counts is None else self.cluster_counts[index]
            if self.cluster_counts is None and count > 256:
                raise ValueError(
                    f"Layer '{self.layer.name}': `preserve_clusters=True` needs clustered "
                    f"weights. Received weight '{weight.name}' with {count} distinct values "
                    "(more than 256). Cluster the model first (`cluster_weights` then "
                    "`strip_clustering`) or pass `preserve_clusters=False`."
                )
            centroids = self.add_weight(
                name=f"cluster_centroids_{index}", shape=(count,), initializer="zeros"
            )
            indices = self.add_weight(
                name=f"cluster_indices_{index}",
                shape=values.shape,
                initializer="zeros",
                dtype="int32",
                trainable=False,
            )
            if len(unique) == count:
                centroids.assign(unique.astype("float32"))
                indices.assign(inverse.reshape(values.shape).astype("int32"))
            weight.trainable = False  # The centroids carry the training.
            self.cluster_centroids.append(centroids)
            self.cluster_indices.append(indices)
            counts.append(count)
        self.cluster_counts = counts

    def _build_quantizers(self):
        """tfmot-style config: let each quantizer create its variables on this wrapper."""
        config = self.quantize_config
        self._weight_quantizers = [q for _, q in config.get_weights_and_quantizers(self.layer)]
        self._weight_quantizer_vars = [
            quantizer.build(tuple(weight.shape), weight.name, self)
            for weight, quantizer in config.get_weights_and_quantizers(self.layer)
        ]
        activations = config.get_activations_and_quantizers(self.layer)
        self._activation_quantizers = [q for _, q in activations]
        self._activation_quantizer_vars = [
            quantizer.build(None, f"post_activation_{index}", self)
            for index, quantizer in enumerate(self._activation_quantizers)
        ]
        self._output_quantizers = list(config.get_output_quantizers(self.layer))
        self._output_quantizer_vars = [
            quantizer.build(None, f"output_{index}", self)
            for index, quantizer in enumerate(self._output_quantizers)
        ]

    @property
    def quantized_weights(self):
        """The wrapped layer's variables that are fake-quantized."""
        if self.quantize_config.uses_quantizers():
            return [w for w, _ in self.quantize_config.get_weights_and_quantizers(self.layer)]
        return [getattr(self.layer, name) for name in self.quantize_config.weight_names]

    def _is_depthwise(self, index):
        if self.quantize_config.uses_quantizers():
            return False
        name = self.quantize_config.weight_names[index]
        return name == "depthwise_kernel" or (
            name == "kernel"
            and isinstance(self.layer, (keras.layers.DepthwiseConv1D, keras.layers.DepthwiseConv2D))
        )

    # ------------------------------------------------------------------ call
    def _weight_values(self, training=False):
        values = []
        custom = self.quantize_config.uses_quantizers()
        for index in range(len(self.quantized_weights)):
            value = self._masked(index)
            if custom:
                quantizer = self._weight_quantizers[index]
                values.append(quantizer(value, training, self._weight_quantizer_vars[index]))
            elif self._is_depthwise(index):
                # Per output channel of a depthwise kernel: input x multiplier.
                quantized = fake_quantize_weight(
                    _merge_depthwise_axes(value), self.num_bits_weight, self.per_axis
                )
                values.append(ops.reshape(quantized, tuple(value.shape)))
            else:
                values.append(fake_quantize_weight(value, self.num_bits_weight, self.per_axis))
        return values

    def _track_range(self, tensor, low, high, training):
        """Fake-quantizes `tensor`; in training first updates its EMA range."""
        initialized = ops.convert_to_tensor(self.ranges_initialized) > 0
        if training:
            observed = ops.stop_gradient(ops.cast(tensor, "float32"))
            batch_low = ops.minimum(ops.min(observed), 0.0)
            batch_high = ops.maximum(ops.max(observed), 0.0)
            decay = self.ema_decay
            new_low = ops.where(initialized, decay * low + (1 - decay) * batch_low, batch_low)
            new_high = ops.where(initialized, decay * high + (1 - decay) * batch_high, batch_high)
            low.assign(new_low)
            high.assign(new_high)
            initialized = ops.convert_to_tensor(True)
        low_value = ops.stop_gradient(ops.convert_to_tensor(low))
        high_value = ops.stop_gradient(
            ops.maximum(ops.convert_to_tensor(high), low_value + 1e-6)
        )
        quantized = keras.quantizers.fake_quant_with_min_max_vars(
            tensor, low_value, high_value, num_bits=self.num_bits_activation, narrow_range=False
        )
        return ops.where(initialized, quantized, tensor)

    def call(self, inputs, *args, training=None, **kwargs):
        if self.quantize_inputs:
            inputs = self._track_range(inputs, self.input_min, self.input_max, training)
        if self._slots is None:
            slots = _substitution.find_variable_slots(self.layer, self.quantized_weights)
            object.__setattr__(self, "_slots", slots)
        if self.quantize_config.uses_quantizers():
            outputs = self._call_with_quantizers(inputs, args, kwargs, training)
            if training:
                self.ranges_initialized.assign(1.0)
            return outputs
        with _substitution.substituted(self._slots, self._weight_values(training)):
            outputs = _substitution.call_inner(self.layer, (inputs, *args), kwargs, training)
        if self.quantize_config.quantize_output:
            outputs = self._track_range(outputs, self.output_min, self.output_max, training)
        if training:
            self.ranges_initialized.assign(1.0)
        return outputs

    def _call_with_quantizers(self, inputs, args, kwargs, training):
        config = self.quantize_config
        originals = [fn for fn, _ in config.get_activations_and_quantizers(self.layer)]
        quantizing = [
            _QuantizingActivation(fn, quantizer, variables, training)
            for fn, quantizer, variables in zip(
                originals, self._activation_quantizers, self._activation_quantizer_vars
            )
        ]
        if quantizing:
            config.set_quantize_activations(self.layer, quantizing)
        try:
            with _substitution.substituted(self._slots, self._weight_values(training)):
                outputs = _substitution.call_inner(self.layer, (inputs, *args), kwargs, training)
        finally:
            if quantizing:
                config.set_quantize_activations(self.layer, originals)
        for quantizer, variables in zip(self._output_quantizers, self._output_quantizer_vars):
            outputs = quantizer(outputs, training, variables)
        return outputs

    # --------------------------------------------------------------- results
    def effective_weights(self):
        """The wrapped layer's weights as `strip_qat` exports them (numpy)."""
        baked = {
            id(weight): keras.ops.convert_to_numpy(value)
            for weight, value in zip(self.quantized_weights, self._weight_values())
        }
        return [
            baked.get(id(weight), keras.ops.convert_to_numpy(weight)) for weight in self.layer.weights
        ]

    def get_ranges(self):
        """The learned ranges: `{"inputs", "outputs", "kernel_per_channel"}`.

        `inputs`/`outputs` are `(min, max)` floats, or None when not
        quantized here or not yet trained; `kernel_per_channel` is
        `(min_array, max_array)` over the last axis of the first quantized
        weight (for depthwise kernels over `in_channels * multiplier`, in
        that order), or None.
        """
        trained = float(keras.ops.convert_to_numpy(self.ranges_initialized)) > 0

        def pair(low, high):
            return (
                float(keras.ops.convert_to_numpy(low)),
                float(keras.ops.convert_to_numpy(high)),
            )

        kernel = None
        if self.quantized_weights:
            value = self._masked(0)
            if self._is_depthwise(0):
                value = _merge_depthwise_axes(value)
            low, high = per_channel_weight_range(value)
            kernel = (keras.ops.convert_to_numpy(low), keras.ops.convert_to_numpy(high))
        outputs = None
        if trained and self.quantize_config.uses_quantizers():
            # The last scalar range a tfmot-style quantizer keeps on the output.
            for variables in self._activation_quantizer_vars + self._output_quantizer_vars:
                if "min_var" in variables and tuple(variables["min_var"].shape) == ():
                    outputs = pair(variables["min_var"], variables["max_var"])
        elif trained and self.quantize_config.quantize_output:
            outputs = pair(self.output_min, self.output_max)
        return {
            "inputs": pair(self.input_min, self.input_max)
            if self.quantize_inputs and trained
            else None,
            "outputs": outputs,
            "kernel_per_channel": kernel,
        }

    def _masked(self, index):
        if self.preserve_clusters:
            value = ops.take(
                ops.convert_to_tensor(self.cluster_centroids[index]),
                ops.convert_to_tensor(self.cluster_indices[index]),
            )
        else:
            value = ops.convert_to_tensor(self.quantized_weights[index])
        if self.preserve_sparsity:
            value = ops.multiply(value, self.sparsity_masks[index])
        return value

    # ---------------------------------------------------------------- config
    @classmethod
    def from_config(cls, config, custom_objects=None):
        return super().from_config(dict(config), custom_objects=custom_objects)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "quantize_config": keras.saving.serialize_keras_object(self.quantize_config),
                "quantize_inputs": self.quantize_inputs,
                "ema_decay": self.ema_decay,
                "preserve_sparsity": self.preserve_sparsity,
                "preserve_clusters": self.preserve_clusters,
                "cluster_counts": self.cluster_counts,
                "num_bits_weight": self.num_bits_weight,
                "num_bits_activation": self.num_bits_activation,
                "per_axis": self.per_axis,
            }
        )
        return config
