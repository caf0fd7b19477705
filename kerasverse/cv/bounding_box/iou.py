"""`compute_iou` and `compute_ciou` (re-exports of `keras.utils.bounding_boxes` with keras_cv's arguments)."""

import keras

from kerasverse.cv.bounding_box.converters import convert_format
from kerasverse.cv.bounding_box.formats import check_format
from kerasverse.cv.bounding_box.formats import image_size


def compute_iou(
    boxes1,
    boxes2,
    bounding_box_format,
    use_masking=False,
    mask_val=-1,
    images=None,
    image_shape=None,
):
    """Pairwise intersection over union of two sets of boxes.

    Re-export of `keras.utils.bounding_boxes.compute_iou` with keras_cv's
    `images`/`image_shape` arguments. IoU does not change when x and y are
    scaled, so relative formats need no image size here.

    Args:
        boxes1: `(M, 4)` or `(B, M, 4)`.
        boxes2: `(N, 4)` or `(B, N, 4)`.
        bounding_box_format: format of both sets.
        use_masking: when `True`, pairs where either box is padding (all
            coordinates negative, e.g. `-1`) get `mask_val`.
        mask_val: value for masked pairs.
        images: unused except for its size (kept for keras_cv compatibility).
        image_shape: likewise.

    Returns:
        IoU table of shape `(M, N)` or `(B, M, N)`.

    Example:

    >>> import numpy as np
    >>> a = np.array([[0.0, 0.0, 10.0, 10.0]])
    >>> b = np.array([[5.0, 0.0, 15.0, 10.0], [20.0, 20.0, 30.0, 30.0]])
    >>> np.round(np.asarray(compute_iou(a, b, "xyxy"), dtype=float), 4).tolist()
    [[0.3333, 0.0]]
    """
    bounding_box_format = check_format(bounding_box_format)
    height, width = image_size(images, image_shape)
    if bounding_box_format.startswith("rel_") and height is None:
        height, width = 1, 1
    shape = None if height is None else (height, width, 1)
    return keras.utils.bounding_boxes.compute_iou(
        boxes1,
        boxes2,
        bounding_box_format=bounding_box_format,
        use_masking=use_masking,
        mask_val=mask_val,
        image_shape=shape,
    )


def compute_ciou(boxes1, boxes2, bounding_box_format, images=None, image_shape=None):
    """Complete IoU of matching boxes, element by element (Zheng et al., 2020).

    `CIoU = IoU - d^2 / c^2 - alpha * v`, where `d` is the distance between
    the centres, `c` the diagonal of the smallest enclosing box,
    `v = 4 / pi^2 * (atan(w1 / h1) - atan(w2 / h2))^2` and
    `alpha = v / (1 - IoU + v)`. Re-export of
    `keras.utils.bounding_boxes.compute_ciou`; relative formats are converted
    to pixels first (they need `images` or `image_shape`, as the aspect ratio
    term depends on the image size).

    Args:
        boxes1: `(..., 4)`.
        boxes2: `(..., 4)`, broadcastable against `boxes1`.
        bounding_box_format: format of both.
        images: image(s) giving the size for relative formats.
        image_shape: `(H, W)` or `(H, W, C)` instead of `images`.

    Returns:
        CIoU of shape `(...)`, in `[-1, 1]`.

    Example:

    >>> import numpy as np
    >>> a = np.array([[0.0, 0.0, 10.0, 10.0]])
    >>> float(np.asarray(compute_ciou(a, a, "xyxy"))[0]) > 0.999
    True
    """
    bounding_box_format = check_format(bounding_box_format)
    boxes1 = convert_format(boxes1, bounding_box_format, "xyxy", images=images, image_shape=image_shape)
    boxes2 = convert_format(boxes2, bounding_box_format, "xyxy", images=images, image_shape=image_shape)
    return keras.utils.bounding_boxes.compute_ciou(boxes1, boxes2, bounding_box_format="xyxy")
