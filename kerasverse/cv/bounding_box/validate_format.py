"""`validate_format`: check a bounding box dict before it enters a model or a metric."""

import numpy as np

from kerasverse.cv.bounding_box.dense import _to_numpy
from kerasverse.cv.bounding_box.dense import validate_lists
from kerasverse.cv.bounding_box.formats import check_format


def validate_format(bounding_boxes, variable_name="bounding_boxes", bounding_box_format=None, num_classes=None):
    """Checks the structure (and optionally the values) of a bounding box dict.

    Structure: keys `"boxes"` and `"classes"`; boxes end in 4; classes have
    the boxes' leading shape. When `bounding_box_format` is given, the boxes
    (not padding, i.e. class != -1) must have `x2 >= x1` and `y2 >= y1` (or
    non-negative width/height). When `num_classes` is given, classes must be
    in `[-1, num_classes)`. Value checks need concrete (not traced) arrays.

    Args:
        bounding_boxes: dict of `"boxes"` and `"classes"` (dense arrays or
            lists of per-image arrays).
        variable_name: name used in error messages.
        bounding_box_format: optional format to check coordinates against.
        num_classes: optional number of classes to check ids against.

    Returns:
        `{"ragged": bool, "is_batched": bool}` like keras_cv.

    Example:

    >>> import numpy as np
    >>> validate_format({"boxes": np.zeros((2, 3, 4)), "classes": np.zeros((2, 3))})
    {'ragged': False, 'is_batched': True}
    """
    try:
        validate_lists(bounding_boxes)
    except ValueError as error:
        raise ValueError(f"`{variable_name}`: {error}") from None
    boxes, classes = bounding_boxes["boxes"], bounding_boxes["classes"]
    ragged = isinstance(boxes, (list, tuple))
    pairs = list(zip(boxes, classes)) if ragged else [(boxes, classes)]
    checked = []
    for b, c in pairs:
        b_shape, c_shape = tuple(b.shape), tuple(c.shape)
        if len(b_shape) == 0 or b_shape[-1] != 4:
            raise ValueError(
                f"`{variable_name}['boxes']` must end in a dimension of 4. Received: shape={b_shape}."
            )
        if b_shape[:-1] != c_shape:
            raise ValueError(
                f"`{variable_name}['classes']` must have the leading shape of 'boxes' {b_shape[:-1]}. "
                f"Received: classes.shape={c_shape}."
            )
        checked.append((b, c))
    if bounding_box_format is not None or num_classes is not None:
        for b, c in checked:
            _check_values(_to_numpy(b), _to_numpy(c), variable_name, bounding_box_format, num_classes)
    is_batched = ragged or len(tuple(boxes.shape)) == 3
    return {"ragged": ragged, "is_batched": is_batched}


def _check_values(boxes, classes, variable_name, bounding_box_format, num_classes):
    real = classes != -1
    if num_classes is not None:
        bad = real & ((classes < 0) | (classes >= num_classes))
        if bad.any():
            raise ValueError(
                f"`{variable_name}['classes']` holds ids outside [0, {num_classes}) "
                f"(-1 marks padding). Received: {sorted(set(np.unique(classes[bad]).tolist()))[:10]}."
            )
    if bounding_box_format is not None:
        bounding_box_format = check_format(bounding_box_format)
        base = bounding_box_format.replace("rel_", "")
        if base in ("xyxy", "yxyx"):
            size = boxes[..., 2:] - boxes[..., :2]
        else:
            size = boxes[..., 2:]
        bad = real & (size < 0).any(axis=-1)
        if bad.any():
            example = boxes[bad][0].tolist()
            raise ValueError(
                f"`{variable_name}['boxes']` holds {int(bad.sum())} box(es) with negative width or height "
                f"for format {bounding_box_format!r}, e.g. {example}. Received boxes with x2 < x1 or y2 < y1. "
                "Fix the box format or swap the coordinates."
            )
