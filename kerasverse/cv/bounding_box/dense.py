"""Padding and un-padding variable numbers of boxes per image (class `-1` = padding).

keras_cv used `tf.RaggedTensor` for variable box counts. Without TensorFlow,
the "ragged" form is a Python list with one array per image; the dense form
is a padded array where padding boxes are `-1` and padding classes are `-1`.
"""

import numpy as np
from keras import ops

_PADDING_KEYS = ("boxes", "classes", "confidence")


def _to_numpy(x):
    return x if isinstance(x, np.ndarray) else np.asarray(ops.convert_to_numpy(x))


def to_dense(bounding_boxes, max_boxes=None, default_value=-1):
    """Pads per-image box lists into dense arrays.

    Args:
        bounding_boxes: dict with `"boxes"` and `"classes"` (and optionally
            `"confidence"`), each either a list with one array per image
            (`(n_i, 4)` and `(n_i,)`) or an already dense array.
        max_boxes: number of box slots per image; defaults to the largest
            count. Images with more boxes are truncated to the first
            `max_boxes`.
        default_value: value of padding boxes, classes and confidences.

    Returns:
        A dict of numpy arrays: `"boxes"` `(B, max_boxes, 4)` float32,
        `"classes"` `(B, max_boxes)` (and `"confidence"`).

    Example:

    >>> import numpy as np
    >>> dense = to_dense({"boxes": [np.zeros((2, 4)), np.zeros((0, 4))],
    ...                   "classes": [np.array([3, 1]), np.zeros((0,))]})
    >>> dense["classes"].tolist()
    [[3.0, 1.0], [-1.0, -1.0]]
    """
    validate_lists(bounding_boxes)
    boxes = bounding_boxes["boxes"]
    if not isinstance(boxes, (list, tuple)):
        boxes = list(_to_numpy(boxes))
        lists = {k: list(_to_numpy(v)) for k, v in bounding_boxes.items() if k in _PADDING_KEYS}
    else:
        lists = {k: [_to_numpy(x) for x in v] for k, v in bounding_boxes.items() if k in _PADDING_KEYS}
    counts = [len(b) for b in lists["boxes"]]
    size = max(counts, default=0) if max_boxes is None else int(max_boxes)
    result = dict(bounding_boxes)
    for key, values in lists.items():
        tail = (4,) if key == "boxes" else ()
        dtype = np.result_type(*[v.dtype for v in values]) if values else np.float32
        if key == "boxes":
            dtype = np.float32
        out = np.full((len(values), size, *tail), default_value, dtype=dtype)
        for i, v in enumerate(values):
            v = np.asarray(v).reshape((-1, *tail))[:size]
            out[i, : len(v)] = v
        result[key] = out
    return result


def to_ragged(bounding_boxes, sentinel=-1):
    """Removes padding: one numpy array per image, without boxes of class `sentinel`.

    Args:
        bounding_boxes: dict of dense `"boxes"` `(B, N, 4)` and `"classes"`
            `(B, N)` (and optionally `"confidence"` `(B, N)`).
        sentinel: the class id that marks padding.

    Returns:
        A dict with the same keys, each a list of `B` numpy arrays.

    Example:

    >>> import numpy as np
    >>> ragged = to_ragged({"boxes": np.zeros((1, 3, 4)), "classes": np.array([[2, -1, 5]])})
    >>> [c.tolist() for c in ragged["classes"]]
    [[2, 5]]
    """
    classes = _to_numpy(bounding_boxes["classes"])
    if classes.ndim != 2:
        raise ValueError(
            "`to_ragged` expects batched dense boxes: classes of shape (batch, num_boxes). "
            f"Received: classes.shape={classes.shape}."
        )
    keep = classes != sentinel
    result = dict(bounding_boxes)
    for key in _PADDING_KEYS:
        if key in bounding_boxes:
            values = _to_numpy(bounding_boxes[key])
            result[key] = [values[i][keep[i]] for i in range(len(values))]
    return result


def mask_invalid_detections(bounding_boxes):
    """Sets the slots past `num_detections` to `-1` (boxes, classes, confidence).

    Args:
        bounding_boxes: dict with `"boxes"` `(B, N, 4)`, `"classes"` `(B, N)`,
            optionally `"confidence"` `(B, N)`, and `"num_detections"` `(B,)`.

    Returns:
        A new dict; works under jit.

    Example:

    >>> import numpy as np
    >>> out = mask_invalid_detections({"boxes": np.ones((1, 2, 4)), "classes": np.array([[4, 4]]),
    ...                                "num_detections": np.array([1])})
    >>> np.asarray(out["classes"]).tolist()
    [[4, -1]]
    """
    classes = ops.convert_to_tensor(bounding_boxes["classes"])
    num = ops.convert_to_tensor(bounding_boxes["num_detections"])
    slots = ops.arange(ops.shape(classes)[1])[None, :]
    valid = slots < ops.cast(num, "int32")[:, None]
    result = dict(bounding_boxes)
    for key in _PADDING_KEYS:
        if key in bounding_boxes:
            value = ops.convert_to_tensor(bounding_boxes[key])
            mask = valid[..., None] if key == "boxes" else valid
            result[key] = ops.where(mask, value, ops.cast(-1, value.dtype))
    return result


def validate_lists(bounding_boxes):
    if not isinstance(bounding_boxes, dict) or "boxes" not in bounding_boxes or "classes" not in bounding_boxes:
        received = sorted(bounding_boxes) if isinstance(bounding_boxes, dict) else type(bounding_boxes).__name__
        raise ValueError(
            "Bounding boxes must be a dict with keys 'boxes' and 'classes'. "
            f"Received: {received}."
        )
    boxes, classes = bounding_boxes["boxes"], bounding_boxes["classes"]
    if isinstance(boxes, (list, tuple)) != isinstance(classes, (list, tuple)):
        raise ValueError(
            "'boxes' and 'classes' must both be lists (one array per image) or both arrays. "
            f"Received: boxes={type(boxes).__name__}, classes={type(classes).__name__}."
        )
    if isinstance(boxes, (list, tuple)) and len(boxes) != len(classes):
        raise ValueError(
            "'boxes' and 'classes' must hold one entry per image. "
            f"Received: len(boxes)={len(boxes)}, len(classes)={len(classes)}."
        )
