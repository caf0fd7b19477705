"""`SmoothL1Loss` (Girshick, Fast R-CNN, 2015)."""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="kerasverse")
class SmoothL1Loss(keras.losses.Loss):
    """Smooth L1 loss, averaged over the last axis.

    Per element with `x = y_pred - y_true` and `b = l1_cutoff`:
    `0.5 * x^2 / b` if `|x| < b`, else `|x| - 0.5 * b` (continuous for every
    `b`; Fast R-CNN's formula for `b = 1`, keras_cv's default).

    Args:
        l1_cutoff: where the loss turns from quadratic to linear, `> 0`.

    Example:

    >>> import numpy as np
    >>> loss = SmoothL1Loss()
    >>> float(loss(np.array([[0.0, 0.0]]), np.array([[0.5, 3.0]])))
    1.3125
    """

    def __init__(self, l1_cutoff=1.0, **kwargs):
        super().__init__(**kwargs)
        if l1_cutoff <= 0:
            raise ValueError(f"`l1_cutoff` must be > 0. Received: l1_cutoff={l1_cutoff}.")
        self.l1_cutoff = float(l1_cutoff)

    def call(self, y_true, y_pred):
        y_pred = ops.convert_to_tensor(y_pred)
        difference = ops.abs(y_pred - ops.cast(y_true, y_pred.dtype))
        b = self.l1_cutoff
        loss = ops.where(difference < b, 0.5 * difference**2 / b, difference - 0.5 * b)
        return ops.mean(loss, axis=-1)

    def get_config(self):
        config = super().get_config()
        config.update({"l1_cutoff": self.l1_cutoff})
        return config
