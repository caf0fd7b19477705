"""`PruneLowMagnitude`: the wrapper layer that masks a layer's weights."""

import keras
from keras import ops

from kerasverse.optimize import _substitution
from kerasverse.optimize._weight_wrapper import WeightWrapper
from kerasverse.optimize.sparsity import prune_registry
from kerasverse.optimize.sparsity import pruning_utils
from kerasverse.optimize.sparsity.pruning_schedule import ConstantSparsity
from kerasverse.optimize.sparsity.pruning_schedule import PruningSchedule


def _check_block_size(block_size):
    if (
        not isinstance(block_size, (tuple, list))
        or len(block_size) != 2
        or not all(isinstance(b, int) and b >= 1 for b in block_size)
    ):
        raise ValueError(
            "Argument `block_size` must be a pair of integers >= 1, e.g. (1, 1) for "
            f"element-wise pruning or (1, 4). Received: block_size={block_size!r}."
        )
    return tuple(block_size)


def _check_m_by_n(sparsity_m_by_n):
    if sparsity_m_by_n is None:
        return None
    if (
        not isinstance(sparsity_m_by_n, (tuple, list))
        or len(sparsity_m_by_n) != 2
        or not all(isinstance(v, int) for v in sparsity_m_by_n)
        or not 0 < sparsity_m_by_n[0] < sparsity_m_by_n[1]
    ):
        raise ValueError(
            "Argument `sparsity_m_by_n` must be a pair (M, N) of integers with 0 < M < N, "
            f"e.g. (2, 4): keep 2 of every 4 weights. Received: sparsity_m_by_n={sparsity_m_by_n!r}."
        )
    return tuple(sparsity_m_by_n)


@keras.saving.register_keras_serializable(package="kerasverse")
class PruneLowMagnitude(WeightWrapper):
    """Wraps a layer and zeroes its smallest-magnitude weights during training.

    For each prunable weight (e.g. the kernel) the wrapper keeps a
    non-trainable 0/1 `mask` of the same shape. Every call runs the wrapped
    layer with `weight * mask` in place of the weight, so the zeros hold in
    training, evaluation and inference. During training (`training=True`) the
    wrapper also advances its own step counter and, at the steps the schedule
    chooses, recomputes the masks from the current masked weights. All of this
    is `keras.ops` on variables, so it runs inside the trainer's jitted,
    stateless step on JAX, and in the PyTorch training loop, like a batch
    normalization's moving averages. Note the counter advances once per call
    in training: a layer shared N times advances N steps per batch.

    Usually created through `prune_low_magnitude`.

    Args:
        layer: the layer to prune (built-in prunable layer or a layer with
            `get_prunable_weights()`).
        pruning_schedule: a `PruningSchedule`; defaults to
            `ConstantSparsity(0.5, begin_step=0, frequency=100)`.
        block_size: `(rows, cols)` blocks pruned together (weights seen as a
            matrix with the last axis as columns); `(1, 1)` prunes single
            weights.
        block_pooling_type: how a block's score is pooled; only `"AVG"`.
        sparsity_m_by_n: `(M, N)` keeps the M largest of every N consecutive
            input-channel weights (e.g. `(2, 4)`); the schedule's sparsity is
            then ignored, its steps still decide when masks are updated.
        **kwargs: base layer arguments (`name`, ...).

    Example:

    >>> import keras
    >>> from kerasverse.optimize import sparsity
    >>> layer = sparsity.PruneLowMagnitude(
    ...     keras.layers.Dense(4),
    ...     pruning_schedule=sparsity.ConstantSparsity(0.5, begin_step=0, frequency=1),
    ... )
    >>> y = layer(keras.ops.ones((2, 8)), training=True)
    >>> float(keras.ops.mean(layer.masks[0]))
    0.5
    """

    def __init__(
        self,
        layer,
        pruning_schedule=None,
        block_size=(1, 1),
        block_pooling_type="AVG",
        sparsity_m_by_n=None,
        **kwargs,
    ):
        if isinstance(layer, PruneLowMagnitude):
            raise ValueError(
                f"Layer '{layer.name}' is already wrapped for pruning. Received a "
                "`PruneLowMagnitude` layer. Pass the layer itself."
            )
        if isinstance(layer, keras.layers.Layer) and not prune_registry.supports(layer):
            raise prune_registry.unsupported_layer_error(layer)
        if pruning_schedule is None:
            pruning_schedule = ConstantSparsity(0.5, begin_step=0, frequency=100)
        if isinstance(pruning_schedule, dict):
            pruning_schedule = keras.saving.deserialize_keras_object(pruning_schedule)
        if not isinstance(pruning_schedule, PruningSchedule):
            raise ValueError(
                "Argument `pruning_schedule` must be a `PruningSchedule` such as "
                f"`ConstantSparsity(0.8, begin_step=0)`. Received: {pruning_schedule!r}."
            )
        if block_pooling_type != "AVG":
            raise ValueError(
                'Argument `block_pooling_type` must be "AVG". '
                f"Received: block_pooling_type={block_pooling_type!r}."
            )
        kwargs.setdefault("name", f"prune_low_magnitude_{layer.name}")
        super().__init__(layer, **kwargs)
        self.pruning_schedule = pruning_schedule
        self.block_size = _check_block_size(block_size)
        self.block_pooling_type = block_pooling_type
        self.sparsity_m_by_n = _check_m_by_n(sparsity_m_by_n)
        self.masks = []
        self.thresholds = []
        self._slots = None

    def _create_wrapper_variables(self):
        if self.masks:
            return
        weights = prune_registry.get_prunable_weights(self.layer)
        for index, weight in enumerate(weights):
            self.masks.append(
                self.add_weight(
                    name=f"mask_{index}",
                    shape=weight.shape,
                    initializer="ones",
                    dtype=weight.dtype,
                    trainable=False,
                )
            )
            self.thresholds.append(
                self.add_weight(
                    name=f"threshold_{index}",
                    shape=(),
                    initializer="zeros",
                    dtype=weight.dtype,
                    trainable=False,
                )
            )
        self.pruning_step = self.add_weight(
            name="pruning_step",
            shape=(),
            initializer=keras.initializers.Constant(-1),
            dtype="int32",
            trainable=False,
        )

    @property
    def prunable_weights(self):
        """The wrapped layer's variables that are masked."""
        return prune_registry.get_prunable_weights(self.layer)

    def effective_weights(self):
        """The wrapped layer's weights as `strip_pruning` exports them (numpy)."""
        masked = {
            id(weight): keras.ops.convert_to_numpy(weight) * keras.ops.convert_to_numpy(mask)
            for weight, mask in zip(self.prunable_weights, self.masks)
        }
        return [
            masked.get(id(weight), keras.ops.convert_to_numpy(weight))
            for weight in self.layer.weights
        ]

    # ------------------------------------------------------------------ call
    def _compute_mask(self, masked_weight, sparsity):
        if self.sparsity_m_by_n is not None:
            return pruning_utils.m_by_n_mask(masked_weight, *self.sparsity_m_by_n)
        if self.block_size != (1, 1):
            return pruning_utils.block_magnitude_mask(masked_weight, sparsity, self.block_size)
        return pruning_utils.magnitude_mask(masked_weight, sparsity)

    def _new_mask_and_threshold(self, masked, sparsity, dtype):
        new_mask = self._compute_mask(masked, sparsity)
        kept = ops.where(new_mask > 0, ops.abs(masked), ops.max(ops.abs(masked)))
        return new_mask, ops.cast(ops.min(kept), dtype)

    def _update_masks(self):
        # PyTorch runs the step eagerly: Python ints and an `if` skip all the
        # mask work between pruning steps. In a traced step (JAX, TensorFlow)
        # the step is a tensor and `ops.cond` chooses.
        eager = keras.config.backend() == "torch"
        if eager:
            step = int(ops.convert_to_numpy(self.pruning_step)) + 1
        else:
            step = ops.add(ops.convert_to_tensor(self.pruning_step), 1)
        self.pruning_step.assign(step)
        should_prune, sparsity = self.pruning_schedule(step)
        if eager and not bool(ops.convert_to_numpy(should_prune)):
            return
        for weight, mask, threshold in zip(self.prunable_weights, self.masks, self.thresholds):
            masked = ops.stop_gradient(ops.multiply(weight, mask))
            if eager:
                new_mask, new_threshold = self._new_mask_and_threshold(masked, sparsity, threshold.dtype)
            else:
                new_mask, new_threshold = ops.cond(
                    should_prune,
                    lambda masked=masked, dtype=threshold.dtype: self._new_mask_and_threshold(masked, sparsity, dtype),
                    lambda mask=mask, threshold=threshold: (ops.convert_to_tensor(mask), ops.convert_to_tensor(threshold)),
                )
            mask.assign(new_mask)
            threshold.assign(new_threshold)

    def call(self, inputs, *args, training=None, **kwargs):
        if self._slots is None:
            slots = _substitution.find_variable_slots(self.layer, self.prunable_weights)
            object.__setattr__(self, "_slots", slots)
        if training:
            self._update_masks()
        masked = [
            ops.multiply(weight, mask) for weight, mask in zip(self.prunable_weights, self.masks)
        ]
        with _substitution.substituted(self._slots, masked):
            return _substitution.call_inner(self.layer, (inputs, *args), kwargs, training)

    # ---------------------------------------------------------------- config
    @classmethod
    def from_config(cls, config, custom_objects=None):
        return super().from_config(dict(config), custom_objects=custom_objects)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "pruning_schedule": keras.saving.serialize_keras_object(self.pruning_schedule),
                "block_size": list(self.block_size),
                "block_pooling_type": self.block_pooling_type,
                "sparsity_m_by_n": None
                if self.sparsity_m_by_n is None
                else list(self.sparsity_m_by_n),
            }
        )
        return config
