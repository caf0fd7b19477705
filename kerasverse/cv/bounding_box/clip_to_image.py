"""`clip_to_image`: clip boxes to the image and mark the ones left empty as padding."""

import keras
from keras import ops

from kerasverse.cv.bounding_box.converters import convert_format
from kerasverse.cv.bounding_box.formats import check_format
from kerasverse.cv.bounding_box.formats import image_size


def clip_to_image(bounding_boxes, bounding_box_format, images=None, image_shape=None):
    """Clips boxes to the image; boxes with no area left become padding.

    The clipping itself is `keras.utils.bounding_boxes.clip_to_image_size`.
    A box whose clipped width or height is not positive (outside the image,
    or given with `x2 < x1`/`y2 < y1`) gets class `-1` and coordinates `-1`,
    the padding convention of every kerasverse.cv function. jit-compatible.

    Args:
        bounding_boxes: dict with `"boxes"` `(..., N, 4)` and `"classes"`
            `(..., N)`.
        bounding_box_format: format of the boxes.
        images: the image(s), for their size (needed for absolute formats).
        image_shape: `(H, W)` or `(H, W, C)` instead of `images`.

    Returns:
        A new dict with clipped `"boxes"` and updated `"classes"` (other keys
        kept).

    Example:

    >>> import numpy as np
    >>> boxes = {"boxes": np.array([[-5.0, 10.0, 50.0, 40.0], [120.0, 0.0, 150.0, 9.0]]),
    ...          "classes": np.array([1, 2])}
    >>> out = clip_to_image(boxes, "xyxy", image_shape=(32, 100))
    >>> np.asarray(out["boxes"]).tolist(), np.asarray(out["classes"]).tolist()
    ([[0.0, 10.0, 50.0, 32.0], [-1.0, -1.0, -1.0, -1.0]], [1, -1])
    """
    bounding_box_format = check_format(bounding_box_format)
    height, width = image_size(images, image_shape)
    if bounding_box_format.startswith("rel_"):
        work_format = "rel_xyxy"
        boxes = convert_format(bounding_boxes["boxes"], bounding_box_format, work_format)
    else:
        if height is None:
            raise ValueError(
                f"`clip_to_image` needs the image size for the absolute format {bounding_box_format!r}. "
                "Received: images=None, image_shape=None. Pass `images=` or `image_shape=`."
            )
        work_format = "xyxy"
        boxes = convert_format(bounding_boxes["boxes"], bounding_box_format, work_format)
    classes = ops.convert_to_tensor(bounding_boxes["classes"])
    clipped = keras.utils.bounding_boxes.clip_to_image_size(
        {"boxes": boxes}, height=height, width=width, bounding_box_format=work_format
    )["boxes"]
    valid = ops.logical_and(clipped[..., 2] > clipped[..., 0], clipped[..., 3] > clipped[..., 1])
    valid = ops.logical_and(valid, ops.not_equal(classes, ops.cast(-1, classes.dtype)))
    clipped = convert_format(clipped, work_format, bounding_box_format)
    result = dict(bounding_boxes)
    result["boxes"] = ops.where(valid[..., None], clipped, ops.cast(-1, clipped.dtype))
    result["classes"] = ops.where(valid, classes, ops.cast(-1, classes.dtype))
    return result
