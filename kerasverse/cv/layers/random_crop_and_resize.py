"""`RandomCropAndResize`: crop a random area and aspect ratio, resize to a fixed size."""

import keras
from keras import ops

from kerasverse.cv.layers.base_augmentation import BaseAugmentationLayer
from kerasverse.cv.layers.base_augmentation import as_range
from kerasverse.cv.layers.base_augmentation import uniform
from kerasverse.cv.layers.box_geometry import scale_and_shift_boxes
from kerasverse.cv.layers.image_sampling import output_grid
from kerasverse.cv.layers.image_sampling import sample_bilinear
from kerasverse.cv.layers.jittered_resize import _size


@keras.saving.register_keras_serializable(package="kerasverse")
class RandomCropAndResize(BaseAugmentationLayer):
    """Crops a random region (area fraction and aspect ratio) and resizes it to `target_size`.

    Per image: area fraction `a` from `crop_area_factor`, aspect ratio `r`
    (width / height, relative to the image) from `aspect_ratio_factor`; the
    crop is `sqrt(a * r)` of the width by `sqrt(a / r)` of the height (capped
    at 1), at a random position. Boxes follow; boxes outside the crop become
    padding (class -1).

    Args:
        target_size: output `(height, width)`.
        crop_area_factor: `(low, high)` in `(0, 1]`.
        aspect_ratio_factor: `(low, high)`, positive.
        bounding_box_format: format of the boxes (needed with boxes).
        seed: integer seed.

    Example:

    >>> import numpy as np
    >>> layer = RandomCropAndResize((32, 32), crop_area_factor=(0.5, 1.0), aspect_ratio_factor=(0.75, 1.33), seed=0)
    >>> tuple(layer(np.ones((4, 64, 48, 3), "float32")).shape)
    (4, 32, 32, 3)
    """

    changes_geometry = True
    compute_output_shape = keras.layers.Layer.compute_output_shape  # trace `call`
    changes_size = True

    def __init__(self, target_size, crop_area_factor, aspect_ratio_factor, bounding_box_format=None, seed=None,
                 **kwargs):
        super().__init__(seed=seed, bounding_box_format=bounding_box_format, **kwargs)
        self.target_size = _size(target_size, "target_size")
        self.crop_area_factor = as_range(crop_area_factor, "crop_area_factor", 0.0, 1.0)
        self.aspect_ratio_factor = as_range(aspect_ratio_factor, "aspect_ratio_factor", 0.0)
        if self.crop_area_factor[0] <= 0 or self.aspect_ratio_factor[0] <= 0:
            raise ValueError(
                "`crop_area_factor` and `aspect_ratio_factor` must be positive. "
                f"Received: crop_area_factor={crop_area_factor!r}, aspect_ratio_factor={aspect_ratio_factor!r}."
            )

    def augment(self, images, bounding_boxes, labels):
        batch, height, width, _ = ops.shape(images)
        out_h, out_w = self.target_size
        area = uniform(self, (batch,), *self.crop_area_factor)
        ratio = uniform(self, (batch,), *self.aspect_ratio_factor)
        if self._inference:
            area, ratio = ops.ones_like(area), ops.ones_like(ratio)
        crop_w = ops.minimum(ops.sqrt(area * ratio), 1.0) * width
        crop_h = ops.minimum(ops.sqrt(area / ratio), 1.0) * height
        top = uniform(self, (batch,), 0.0, 1.0) * (height - crop_h)
        left = uniform(self, (batch,), 0.0, 1.0) * (width - crop_w)
        scale_y, scale_x = out_h / crop_h, out_w / crop_w
        ys, xs = output_grid(batch, out_h, out_w)
        src_y = top[:, None, None] + (ys + 0.5) / scale_y[:, None, None] - 0.5
        src_x = left[:, None, None] + (xs + 0.5) / scale_x[:, None, None] - 0.5
        index = ops.arange(batch, dtype="int32")[:, None, None]
        out = sample_bilinear(images, index, ops.clip(src_y, 0, height - 1), ops.clip(src_x, 0, width - 1))
        if bounding_boxes is not None:
            bounding_boxes = scale_and_shift_boxes(
                bounding_boxes, self.bounding_box_format, (height, width), (out_h, out_w),
                ops.stack([scale_y, scale_x], axis=-1), ops.stack([-top * scale_y, -left * scale_x], axis=-1),
            )
        return out, bounding_boxes, labels

    def get_config(self):
        config = super().get_config()
        config.update({"target_size": self.target_size, "crop_area_factor": self.crop_area_factor,
                       "aspect_ratio_factor": self.aspect_ratio_factor})
        return config
