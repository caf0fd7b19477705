"""`FocalLoss` (Lin et al., 2017), keras_cv's signature."""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="kerasverse")
class FocalLoss(keras.losses.Loss):
    """Focal loss: `-alpha_t * (1 - p_t)^gamma * log(p_t)`, summed over the last axis.

    `p_t` is the predicted probability of the true label (`p` for positives,
    `1 - p` for negatives) and `alpha_t` is `alpha` for positives,
    `1 - alpha` for negatives. As in keras_cv, the per-class terms are summed
    over the last (class) axis; the usual Keras reduction then averages over
    the rest. (`keras.losses.BinaryFocalCrossentropy` averages over the last
    axis instead.)

    Args:
        alpha: weight of positives, in `[0, 1]`.
        gamma: focusing parameter, `>= 0`.
        from_logits: whether `y_pred` holds logits.
        label_smoothing: in `[0, 1]`; targets become
            `y * (1 - s) + 0.5 * s`.

    Example:

    >>> import numpy as np
    >>> loss = FocalLoss(from_logits=True)
    >>> y_true = np.array([[0.0, 1.0]]); y_pred = np.array([[-2.0, 2.0]])
    >>> round(float(loss(y_true, y_pred)), 5)
    0.0018
    """

    def __init__(self, alpha=0.25, gamma=2.0, from_logits=False, label_smoothing=0.0, **kwargs):
        super().__init__(**kwargs)
        if not 0.0 <= alpha <= 1.0 or gamma < 0:
            raise ValueError(
                f"`alpha` must be in [0, 1] and `gamma` >= 0. Received: alpha={alpha}, gamma={gamma}."
            )
        self.alpha = float(alpha)
        self.gamma = float(gamma)
        self.from_logits = from_logits
        self.label_smoothing = float(label_smoothing)

    def call(self, y_true, y_pred):
        y_pred = ops.convert_to_tensor(y_pred)
        y_true = ops.cast(y_true, y_pred.dtype)
        if self.label_smoothing:
            y_true = y_true * (1.0 - self.label_smoothing) + 0.5 * self.label_smoothing
        cross_entropy = ops.binary_crossentropy(y_true, y_pred, from_logits=self.from_logits)
        p = ops.sigmoid(y_pred) if self.from_logits else y_pred
        p_t = y_true * p + (1.0 - y_true) * (1.0 - p)
        alpha_t = y_true * self.alpha + (1.0 - y_true) * (1.0 - self.alpha)
        return ops.sum(alpha_t * ops.power(1.0 - p_t, self.gamma) * cross_entropy, axis=-1)

    def get_config(self):
        config = super().get_config()
        config.update(
            {"alpha": self.alpha, "gamma": self.gamma, "from_logits": self.from_logits,
             "label_smoothing": self.label_smoothing}
        )
        return config
