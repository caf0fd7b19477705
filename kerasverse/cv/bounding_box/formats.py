"""The bounding box formats keras_cv names, and the checks every function shares.

- `"xyxy"`: `[left, top, right, bottom]` in pixels.
- `"yxyx"`: `[top, left, bottom, right]` in pixels.
- `"xywh"`: `[left, top, width, height]` in pixels (the COCO format).
- `"center_xywh"`: `[center_x, center_y, width, height]` in pixels.
- `"center_yxhw"`: `[center_y, center_x, height, width]` in pixels.
- `"rel_xyxy"`, `"rel_yxyx"`, `"rel_xywh"`, `"rel_center_xywh"`: the same
  with coordinates divided by the image width/height (in `[0, 1]`).
"""

XYXY = "xyxy"
YXYX = "yxyx"
XYWH = "xywh"
CENTER_XYWH = "center_xywh"
CENTER_YXHW = "center_yxhw"
REL_XYXY = "rel_xyxy"
REL_YXYX = "rel_yxyx"
REL_XYWH = "rel_xywh"
REL_CENTER_XYWH = "rel_center_xywh"

SUPPORTED_FORMATS = (
    XYXY,
    YXYX,
    XYWH,
    CENTER_XYWH,
    CENTER_YXHW,
    REL_XYXY,
    REL_YXYX,
    REL_XYWH,
    REL_CENTER_XYWH,
)


def check_format(bounding_box_format, argument="bounding_box_format"):
    """Returns the lower-cased format, or raises a `ValueError` naming the choices."""
    if not isinstance(bounding_box_format, str) or bounding_box_format.lower() not in SUPPORTED_FORMATS:
        raise ValueError(
            f"Unknown bounding box format. Received: {argument}={bounding_box_format!r}. "
            f"Expected one of {', '.join(SUPPORTED_FORMATS)}."
        )
    return bounding_box_format.lower()


def is_relative(bounding_box_format):
    """Whether the format holds coordinates relative to the image size.

    Example:

    >>> is_relative("rel_xyxy"), is_relative("xywh")
    (True, False)
    """
    return check_format(bounding_box_format).startswith("rel_")


def image_size(images=None, image_shape=None):
    """`(height, width)` from `images` (rank 3 or 4) or `image_shape`, else `(None, None)`."""
    if images is not None:
        shape = tuple(images.shape)
        if len(shape) not in (3, 4):
            raise ValueError(
                "`images` must have rank 3 `(height, width, channels)` or 4 "
                f"`(batch, height, width, channels)`. Received: images.shape={shape}."
            )
        return shape[-3], shape[-2]
    if image_shape is not None:
        if len(image_shape) < 2:
            raise ValueError(
                "`image_shape` must be `(height, width)` or `(height, width, channels)`. "
                f"Received: image_shape={image_shape}."
            )
        return image_shape[0], image_shape[1]
    return None, None
