"""`AnchorGenerator`: anchor boxes for every level of a feature pyramid."""

import math

import keras
import numpy as np
from keras import ops

from kerasverse.cv.bounding_box.converters import convert_format
from kerasverse.cv.bounding_box.formats import check_format


@keras.saving.register_keras_serializable(package="kerasverse")
class AnchorGenerator(keras.layers.Layer):
    """Anchor boxes for multiple feature maps (keras_cv's signature).

    For each level `l` (a key of `sizes`/`strides`, or its index when they are
    lists), anchors are centred at `((j + 0.5) * stride, (i + 0.5) * stride)`
    for every cell `(i, j)` of a `ceil(H / stride) x ceil(W / stride)` grid;
    each cell holds `len(scales) * len(aspect_ratios)` anchors (scale-major),
    of width `size * scale * sqrt(ratio)` and height
    `size * scale / sqrt(ratio)` (ratio = width / height). Anchors only depend
    on the static image size, so they are computed once on the host.

    Args:
        bounding_box_format: format of the returned anchors.
        sizes: list of base sizes (one per level) or dict `{level: size}`.
        scales: list of multipliers of the base size (shared by all levels).
        aspect_ratios: list of width / height ratios (shared by all levels).
        strides: list (or dict with the keys of `sizes`) of strides.
        clip_boxes: clip anchors to the image.

    Call arguments:
        image: one image `(H, W, C)` (only its shape is used).
        image_shape: `(H, W)` or `(H, W, C)` instead of `image`.

    Returns:
        dict `{level: anchors}` with anchors of shape
        `(ceil(H/stride) * ceil(W/stride) * len(scales) * len(aspect_ratios), 4)`.

    Example:

    >>> gen = AnchorGenerator("xyxy", sizes=[16], scales=[1.0], aspect_ratios=[1.0], strides=[16])
    >>> anchors = gen(image_shape=(32, 32, 3))
    >>> np.asarray(anchors[0]).tolist()
    [[0.0, 0.0, 16.0, 16.0], [16.0, 0.0, 32.0, 16.0], [0.0, 16.0, 16.0, 32.0], [16.0, 16.0, 32.0, 32.0]]
    """

    def __init__(self, bounding_box_format, sizes, scales, aspect_ratios, strides, clip_boxes=False, **kwargs):
        super().__init__(**kwargs)
        self.bounding_box_format = check_format(bounding_box_format)
        self.sizes = _as_levels(sizes, "sizes")
        self.strides = _as_levels(strides, "strides")
        if sorted(self.sizes, key=str) != sorted(self.strides, key=str):
            raise ValueError(
                "`sizes` and `strides` must be lists of the same length or dicts with the same keys. "
                f"Received: sizes={sizes}, strides={strides}."
            )
        if not scales or not aspect_ratios or min(aspect_ratios) <= 0:
            raise ValueError(
                "`scales` and `aspect_ratios` must be non-empty lists of positive numbers. "
                f"Received: scales={scales}, aspect_ratios={aspect_ratios}."
            )
        self.scales = [float(s) for s in scales]
        self.aspect_ratios = [float(r) for r in aspect_ratios]
        self.clip_boxes = clip_boxes
        self._config_sizes = sizes
        self._config_strides = strides
        self.built = True

    def __call__(self, image=None, image_shape=None):
        if image is None and image_shape is None:
            raise ValueError("AnchorGenerator needs `image` or `image_shape`. Received neither.")
        if image is not None:
            if len(image.shape) != 3:
                raise ValueError(
                    "`image` must be one image of rank 3 (height, width, channels). "
                    f"Received: image.shape={tuple(image.shape)}."
                )
            image_shape = tuple(image.shape)
        height, width = int(image_shape[0]), int(image_shape[1])
        results = {}
        for level, size in self.sizes.items():
            anchors = self.anchors_yxyx(height, width, size, self.strides[level])
            results[level] = convert_format(
                ops.convert_to_tensor(anchors), "yxyx", self.bounding_box_format,
                image_shape=(height, width), dtype=self.compute_dtype,
            )
        return results

    def anchors_yxyx(self, height, width, size, stride):
        """Numpy `(num_anchors, 4)` anchors of one level in `yxyx` pixels."""
        heights, widths = [], []
        for scale in self.scales:
            for ratio in self.aspect_ratios:
                heights.append(size * scale / math.sqrt(ratio))
                widths.append(size * scale * math.sqrt(ratio))
        heights, widths = np.array(heights), np.array(widths)
        cy = (np.arange(math.ceil(height / stride)) + 0.5) * stride
        cx = (np.arange(math.ceil(width / stride)) + 0.5) * stride
        cx, cy = np.meshgrid(cx, cy)
        cy, cx = cy[..., None], cx[..., None]
        anchors = np.stack(
            [cy - heights / 2, cx - widths / 2, cy + heights / 2, cx + widths / 2], axis=-1
        ).reshape(-1, 4)
        if self.clip_boxes:
            anchors = np.clip(anchors, 0, [height, width, height, width])
        return anchors.astype("float32")

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "bounding_box_format": self.bounding_box_format,
                "sizes": self._config_sizes,
                "scales": self.scales,
                "aspect_ratios": self.aspect_ratios,
                "strides": self._config_strides,
                "clip_boxes": self.clip_boxes,
            }
        )
        return config


def _as_levels(value, name):
    if isinstance(value, dict):
        return dict(value)
    if isinstance(value, (list, tuple)):
        return dict(enumerate(value))
    raise ValueError(f"`{name}` must be a list or a dict of levels. Received: {name}={value!r}.")
