"""`convert_format`: boxes from one format to another (wraps `keras.utils.bounding_boxes`)."""

import keras

from kerasverse.cv.bounding_box.formats import check_format
from kerasverse.cv.bounding_box.formats import image_size


def convert_format(boxes, source, target, images=None, image_shape=None, dtype="float32"):
    """Converts boxes from the `source` format to the `target` format.

    keras_cv's signature on top of `keras.utils.bounding_boxes.convert_format`
    (which does the arithmetic): the image size comes from `images` or
    `image_shape` instead of `height`/`width`. Works under `jit` on every
    backend. Coordinates are not checked (a traced function cannot raise on
    values): use `validate_format(..., bounding_box_format=...)` on host data.

    Args:
        boxes: array of shape `(..., 4)`, or a dict with a `"boxes"` key (a
            new dict is returned with `"boxes"` converted, other keys kept).
        source: format of `boxes`, one of `SUPPORTED_FORMATS`.
        target: format to convert to.
        images: optional image(s) `(H, W, C)` or `(B, H, W, C)`; their static
            size is used for relative formats.
        image_shape: optional `(H, W)` or `(H, W, C)` instead of `images`.
        dtype: dtype of the result.

    Returns:
        The converted boxes (same structure as `boxes`).

    Example:

    >>> import numpy as np
    >>> boxes = np.array([[10.0, 20.0, 30.0, 60.0]])
    >>> convert_format(boxes, "xyxy", "rel_yxyx", image_shape=(100, 200, 3)).tolist()
    [[0.20000000298023224, 0.05000000074505806, 0.6000000238418579, 0.15000000596046448]]
    """
    source = check_format(source, "source")
    target = check_format(target, "target")
    if isinstance(boxes, dict):
        result = dict(boxes)
        result["boxes"] = convert_format(boxes["boxes"], source, target, images, image_shape, dtype)
        return result
    height, width = image_size(images, image_shape)
    if (source.startswith("rel_") != target.startswith("rel_")) and height is None:
        raise ValueError(
            "Converting between relative and absolute formats needs the image size. "
            f"Received: source={source!r}, target={target!r}, images=None, image_shape=None. "
            "Pass `images=` or `image_shape=(height, width)`."
        )
    if source.startswith("rel_") and target.startswith("rel_") and height is None:
        height, width = 1, 1  # rel -> rel does not depend on the image size
    shape = tuple(boxes.shape) if hasattr(boxes, "shape") else keras.ops.shape(boxes)
    if len(shape) == 0 or shape[-1] != 4:
        raise ValueError(
            f"`boxes` must have a last dimension of 4. Received: boxes.shape={tuple(shape)}."
        )
    return keras.utils.bounding_boxes.convert_format(
        boxes, source=source, target=target, height=height, width=width, dtype=dtype
    )
