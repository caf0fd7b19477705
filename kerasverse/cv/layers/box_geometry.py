"""Moving boxes with the pixels: per-image scale + offset, clip, drop empty boxes."""

from keras import ops

from kerasverse.cv.bounding_box.clip_to_image import clip_to_image
from kerasverse.cv.bounding_box.converters import convert_format


def scale_and_shift_boxes(bounding_boxes, bounding_box_format, input_size, output_size, scale, offset):
    """`x_out = x_in * scale + offset` per image, in pixels.

    Args:
        bounding_boxes: dict with `"boxes"` `(B, N, 4)` and `"classes"`.
        bounding_box_format: their format.
        input_size, output_size: `(height, width)` of the images.
        scale: `(B, 2)` (y, x) factors.
        offset: `(B, 2)` (y, x) offsets in output pixels.

    Returns:
        New dict; boxes clipped to the output image, boxes left empty (or
        padding) get class -1 and coordinates -1.
    """
    boxes = convert_format(bounding_boxes["boxes"], bounding_box_format, "xyxy", image_shape=input_size)
    padding = ops.equal(ops.cast(bounding_boxes["classes"], "int32"), -1)
    # (y, x) -> (x, y, x, y) for xyxy boxes
    factor = ops.stack([scale[:, 1], scale[:, 0], scale[:, 1], scale[:, 0]], axis=-1)[:, None, :]
    shift = ops.stack([offset[:, 1], offset[:, 0], offset[:, 1], offset[:, 0]], axis=-1)[:, None, :]
    boxes = boxes * factor + shift
    boxes = ops.where(padding[..., None], -1.0, boxes)
    result = dict(bounding_boxes)
    result["boxes"] = boxes
    result = clip_to_image(result, "xyxy", image_shape=output_size)
    result["boxes"] = ops.where(
        ops.equal(ops.cast(result["classes"], "int32"), -1)[..., None],
        -1.0,
        convert_format(result["boxes"], "xyxy", bounding_box_format, image_shape=output_size),
    )
    return result
