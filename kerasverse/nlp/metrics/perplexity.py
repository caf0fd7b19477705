"""`Perplexity`: exp of the mean token cross-entropy, with masking."""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="kerasverse")
class Perplexity(keras.metrics.Metric):
    """Perplexity of a language model: exp of the mean token cross-entropy.

    Same signature as `keras_hub.metrics.Perplexity`. Model-side (keras.ops),
    so it works in `compile(metrics=[...])` on every backend, under jit.

    Args:
        from_logits: bool. Whether `y_pred` holds logits (else
            probabilities). Defaults to `False`.
        mask_token_id: int. Positions where `y_true` equals this id (e.g.
            padding) are left out. Defaults to `None`.
        dtype: the metric's float dtype. Defaults to `"float32"`.
        name: the metric name. Defaults to `"perplexity"`.

    Call arguments (`update_state`):
        y_true: int ids, shape `(batch, sequence_length)`.
        y_pred: scores, shape `(batch, sequence_length, vocabulary_size)`.
        sample_weight: optional weights, shape `(batch, sequence_length)` or
            `(batch,)`.

    Example:

    ```python
    perplexity = Perplexity(from_logits=True, mask_token_id=0)
    perplexity.update_state(np.array([[1, 2, 0]]), np.random.randn(1, 3, 5))
    float(perplexity.result())
    ```
    """

    def __init__(self, from_logits=False, mask_token_id=None, dtype="float32", name="perplexity", **kwargs):
        super().__init__(name=name, dtype=dtype, **kwargs)
        if "float" not in str(keras.backend.standardize_dtype(dtype)):
            raise ValueError(f"`dtype` must be a floating point type. Received: dtype={dtype}")
        self.from_logits = from_logits
        self.mask_token_id = mask_token_id
        self._aggregate_crossentropy = self.add_variable(
            shape=(), initializer="zeros", dtype=self.dtype, name="aggregate_crossentropy"
        )
        self._number_of_samples = self.add_variable(
            shape=(), initializer="zeros", dtype=self.dtype, name="number_of_samples"
        )

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true = ops.cast(y_true, "int32")
        y_pred = ops.cast(y_pred, self.dtype)
        if len(y_true.shape) != 2 or len(y_pred.shape) != 3:
            raise ValueError(
                "`y_true` must have shape (batch, sequence_length) and `y_pred` "
                "(batch, sequence_length, vocabulary_size). Received: "
                f"y_true.shape={tuple(y_true.shape)}, y_pred.shape={tuple(y_pred.shape)}"
            )
        if sample_weight is None:
            sample_weight = ops.ones(ops.shape(y_true), dtype=self.dtype)
        else:
            sample_weight = ops.cast(sample_weight, self.dtype)
            if len(sample_weight.shape) == 1:
                sample_weight = ops.broadcast_to(sample_weight[:, None], ops.shape(y_true))
        if self.mask_token_id is not None:
            sample_weight = sample_weight * ops.cast(ops.not_equal(y_true, self.mask_token_id), self.dtype)
        crossentropy = keras.losses.sparse_categorical_crossentropy(y_true, y_pred, from_logits=self.from_logits)
        self._aggregate_crossentropy.assign_add(ops.sum(ops.cast(crossentropy, self.dtype) * sample_weight))
        self._number_of_samples.assign_add(ops.sum(sample_weight))

    def result(self):
        count = self._number_of_samples
        mean = self._aggregate_crossentropy / ops.maximum(count, 1e-12)
        return ops.where(count > 0, ops.exp(mean), ops.zeros((), self.dtype))

    def reset_state(self):
        self._aggregate_crossentropy.assign(0.0)
        self._number_of_samples.assign(0.0)

    def get_config(self):
        config = super().get_config()
        config.update({"from_logits": self.from_logits, "mask_token_id": self.mask_token_id})
        return config
