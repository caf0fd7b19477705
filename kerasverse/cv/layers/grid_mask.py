"""`GridMask` (Chen et al., 2020): mask a rotated grid of squares."""

import math

import keras
from keras import ops

from kerasverse.cv.layers.base_augmentation import BaseAugmentationLayer
from kerasverse.cv.layers.base_augmentation import as_range
from kerasverse.cv.layers.base_augmentation import uniform


@keras.saving.register_keras_serializable(package="kerasverse")
class GridMask(BaseAugmentationLayer):
    """Masks squares on a randomly sized, shifted and rotated grid.

    Per image: a grid unit `d` uniform in `[min(H, W) / 7, min(H, W) / 3]`, a
    ratio `r` from `ratio_factor`, an angle from `rotation_factor` (fraction
    of a full turn, as in Keras' `RandomRotation`) and a random shift; pixels
    whose rotated coordinates `(u, v)` have `u mod d < r * d` and
    `v mod d < r * d` are filled. Boxes are unchanged.

    Args:
        ratio_factor: `r` or range `(low, high)` in `[0, 1]`: the side of a
            masked square relative to the grid unit.
        rotation_factor: `f` or range; angles are drawn in `[low, high]` turns.
        fill_mode: `"constant"` or `"gaussian_noise"`.
        fill_value: the constant for `"constant"`.
        seed: integer seed.

    Example:

    >>> import numpy as np
    >>> layer = GridMask(ratio_factor=(0.5, 0.5), rotation_factor=0.0, seed=0)
    >>> out = np.asarray(layer(np.ones((1, 42, 42, 1), "float32")))
    >>> 0.1 < float((out == 0).mean()) < 0.45
    True
    """

    def __init__(self, ratio_factor=(0.0, 0.5), rotation_factor=0.15, fill_mode="constant", fill_value=0.0,
                 seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        self.ratio_factor = as_range(ratio_factor, "ratio_factor", 0.0, 1.0)
        self.rotation_factor = as_range(rotation_factor, "rotation_factor")
        if fill_mode not in ("constant", "gaussian_noise"):
            raise ValueError(f"`fill_mode` must be 'constant' or 'gaussian_noise'. Received: fill_mode={fill_mode!r}.")
        self.fill_mode = fill_mode
        self.fill_value = fill_value

    def augment(self, images, bounding_boxes, labels):
        batch, height, width, _ = ops.shape(images)
        short = min(height, width) if isinstance(height, int) else ops.minimum(height, width)
        unit = uniform(self, (batch,), short / 7.0, short / 3.0)
        ratio = uniform(self, (batch,), *self.ratio_factor)
        angle = uniform(self, (batch,), *self.rotation_factor) * 2 * math.pi
        shift = uniform(self, (batch, 2), 0.0, 1.0) * unit[:, None]
        ys = ops.arange(height, dtype="float32")[None, :, None] - height / 2
        xs = ops.arange(width, dtype="float32")[None, None, :] - width / 2
        cos, sin = ops.cos(angle)[:, None, None], ops.sin(angle)[:, None, None]
        u = cos * xs + sin * ys + shift[:, 0, None, None]
        v = -sin * xs + cos * ys + shift[:, 1, None, None]
        d = unit[:, None, None]
        side = (ratio * unit)[:, None, None]
        masked = (u - ops.floor(u / d) * d < side) & (v - ops.floor(v / d) * d < side)
        if self.fill_mode == "constant":
            fill = ops.cast(self.fill_value, images.dtype)
        else:
            fill = ops.cast(keras.random.normal(ops.shape(images), seed=self.seed_generator), images.dtype)
        return ops.where(masked[..., None], fill, images), bounding_boxes, labels

    def get_config(self):
        config = super().get_config()
        config.update({"ratio_factor": self.ratio_factor, "rotation_factor": self.rotation_factor,
                       "fill_mode": self.fill_mode, "fill_value": self.fill_value})
        return config
