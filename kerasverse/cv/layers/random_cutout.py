"""`RandomCutout`: erase one random rectangle per image."""

import keras
from keras import ops

from kerasverse.cv.layers.base_augmentation import BaseAugmentationLayer
from kerasverse.cv.layers.base_augmentation import as_range
from kerasverse.cv.layers.base_augmentation import uniform


@keras.saving.register_keras_serializable(package="kerasverse")
class RandomCutout(BaseAugmentationLayer):
    """Fills one rectangle per image (random size and centre) with a constant or noise.

    Args:
        height_factor: fraction of the image height, a number `h` (then
            `(0, h)`) or a range `(low, high)` in `[0, 1]`.
        width_factor: the same for the width.
        fill_mode: `"constant"` (fill with `fill_value`) or
            `"gaussian_noise"` (standard normal noise).
        fill_value: the constant.
        seed: integer seed.

    Boxes are not changed (a box may be partly hidden, as in keras_cv).

    Example:

    >>> import numpy as np
    >>> layer = RandomCutout(height_factor=(0.5, 0.5), width_factor=(0.5, 0.5), seed=0)
    >>> out = np.asarray(layer(np.ones((2, 8, 8, 3), "float32")))
    >>> (out == 0).reshape(2, -1).sum(-1).tolist()
    [48, 48]
    """

    def __init__(self, height_factor, width_factor, fill_mode="constant", fill_value=0.0, seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        self.height_factor = as_range(height_factor, "height_factor", 0.0, 1.0)
        self.width_factor = as_range(width_factor, "width_factor", 0.0, 1.0)
        if fill_mode not in ("constant", "gaussian_noise"):
            raise ValueError(f"`fill_mode` must be 'constant' or 'gaussian_noise'. Received: fill_mode={fill_mode!r}.")
        self.fill_mode = fill_mode
        self.fill_value = fill_value

    def augment(self, images, bounding_boxes, labels):
        batch, height, width, _ = ops.shape(images)
        cut_h = ops.round(uniform(self, (batch,), *self.height_factor) * height)
        cut_w = ops.round(uniform(self, (batch,), *self.width_factor) * width)
        centre_y = uniform(self, (batch,), 0.0, 1.0) * height
        centre_x = uniform(self, (batch,), 0.0, 1.0) * width
        top = ops.clip(ops.floor(centre_y - cut_h / 2), 0, height - cut_h)
        left = ops.clip(ops.floor(centre_x - cut_w / 2), 0, width - cut_w)
        ys = ops.arange(height, dtype="float32")[None, :, None]
        xs = ops.arange(width, dtype="float32")[None, None, :]
        inside = (
            (ys >= top[:, None, None]) & (ys < (top + cut_h)[:, None, None])
            & (xs >= left[:, None, None]) & (xs < (left + cut_w)[:, None, None])
        )
        if self.fill_mode == "constant":
            fill = ops.cast(self.fill_value, images.dtype)
        else:
            fill = ops.cast(keras.random.normal(ops.shape(images), seed=self.seed_generator), images.dtype)
        return ops.where(inside[..., None], fill, images), bounding_boxes, labels

    def get_config(self):
        config = super().get_config()
        config.update({"height_factor": self.height_factor, "width_factor": self.width_factor,
                       "fill_mode": self.fill_mode, "fill_value": self.fill_value})
        return config
