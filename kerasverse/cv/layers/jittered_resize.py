"""`JitteredResize`: scale-jitter, random crop and pad to a fixed size (boxes follow)."""

import keras
from keras import ops

from kerasverse.cv.layers.base_augmentation import BaseAugmentationLayer
from kerasverse.cv.layers.base_augmentation import as_range
from kerasverse.cv.layers.base_augmentation import uniform
from kerasverse.cv.layers.box_geometry import scale_and_shift_boxes
from kerasverse.cv.layers.image_sampling import output_grid
from kerasverse.cv.layers.image_sampling import sample_bilinear


@keras.saving.register_keras_serializable(package="kerasverse")
class JitteredResize(BaseAugmentationLayer):
    """Resize with a random scale, keeping the aspect ratio, then crop/pad to `target_size`.

    Per image: the image is scaled so that it fits `target_size` times a
    factor drawn from `scale_factor` (aspect ratio kept); a random
    `crop_size` window of the scaled image is taken (zero padding where the
    scaled image is smaller). Boxes are scaled and shifted the same way,
    clipped, and boxes left empty become padding (class -1).

    Args:
        target_size: `(height, width)` the image is fit into before jitter.
        scale_factor: `(low, high)` multipliers of that fit.
        crop_size: `(height, width)` of the output; defaults to `target_size`.
        bounding_box_format: format of the boxes (needed with boxes).
        fill_value: value of padded pixels.
        seed: integer seed.

    Example:

    >>> import numpy as np
    >>> layer = JitteredResize((64, 64), scale_factor=(0.8, 1.25), bounding_box_format="xyxy", seed=1)
    >>> data = {"images": np.ones((2, 100, 50, 3), "float32"),
    ...         "bounding_boxes": {"boxes": np.array([[[0, 0, 50, 100]]] * 2, "float32"),
    ...                            "classes": np.array([[1.0]] * 2, "float32")}}
    >>> out = layer(data)
    >>> tuple(out["images"].shape), tuple(out["bounding_boxes"]["boxes"].shape)
    ((2, 64, 64, 3), (2, 1, 4))
    """

    changes_geometry = True
    compute_output_shape = keras.layers.Layer.compute_output_shape  # trace `call`
    changes_size = True

    def __init__(self, target_size, scale_factor, crop_size=None, bounding_box_format=None, fill_value=0.0,
                 seed=None, **kwargs):
        super().__init__(seed=seed, bounding_box_format=bounding_box_format, **kwargs)
        self.target_size = _size(target_size, "target_size")
        self.crop_size = self.target_size if crop_size is None else _size(crop_size, "crop_size")
        self.scale_factor = as_range(scale_factor, "scale_factor", 0.0)
        if self.scale_factor[0] <= 0:
            raise ValueError(f"`scale_factor` must be positive. Received: scale_factor={scale_factor!r}.")
        self.fill_value = fill_value

    def augment(self, images, bounding_boxes, labels):
        batch, height, width, _ = ops.shape(images)
        out_h, out_w = self.crop_size
        fit = min(self.target_size[0] / height, self.target_size[1] / width)
        scale = fit * uniform(self, (batch,), *self.scale_factor)
        if self._inference:
            scale = ops.full((batch,), fit, "float32")
        scaled_h, scaled_w = scale * height, scale * width
        top = uniform(self, (batch,), 0.0, 1.0) * ops.maximum(scaled_h - out_h, 0.0)
        left = uniform(self, (batch,), 0.0, 1.0) * ops.maximum(scaled_w - out_w, 0.0)
        top, left = ops.floor(top), ops.floor(left)
        if self._inference:
            top, left = ops.zeros_like(top), ops.zeros_like(left)
        ys, xs = output_grid(batch, out_h, out_w)
        src_y = (ys + top[:, None, None] + 0.5) / scale[:, None, None] - 0.5
        src_x = (xs + left[:, None, None] + 0.5) / scale[:, None, None] - 0.5
        inside = (ys + top[:, None, None] < scaled_h[:, None, None]) & (xs + left[:, None, None] < scaled_w[:, None, None])
        index = ops.arange(batch, dtype="int32")[:, None, None]
        out = sample_bilinear(images, index, ops.clip(src_y, -0.5, height - 0.5), ops.clip(src_x, -0.5, width - 0.5))
        out = ops.where(inside[..., None], out, ops.cast(self.fill_value, out.dtype))
        if bounding_boxes is not None:
            bounding_boxes = scale_and_shift_boxes(
                bounding_boxes, self.bounding_box_format, (height, width), (out_h, out_w),
                ops.stack([scale, scale], axis=-1), ops.stack([-top, -left], axis=-1),
            )
        return out, bounding_boxes, labels

    def get_config(self):
        config = super().get_config()
        config.update({"target_size": self.target_size, "scale_factor": self.scale_factor,
                       "crop_size": self.crop_size, "fill_value": self.fill_value})
        return config


def _size(value, name):
    if not isinstance(value, (list, tuple)) or len(value) != 2 or min(value) < 1:
        raise ValueError(f"`{name}` must be (height, width) of positive integers. Received: {name}={value!r}.")
    return int(value[0]), int(value[1])
