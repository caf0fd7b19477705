"""Bilinear resampling of a batch where each output pixel names its source image and position."""

from keras import ops


def sample_nearest(images, source_index, y, x, fill_value=0.0):
    """Like `sample_bilinear` with nearest-pixel lookup (one gather instead of four)."""
    batch, height, width, channels = images.shape
    flat = ops.reshape(images, (-1, channels))
    yy = ops.cast(ops.round(y), "int32")
    xx = ops.cast(ops.round(x), "int32")
    inside = (yy >= 0) & (yy < height) & (xx >= 0) & (xx < width)
    index = ops.cast(source_index, "int32") * (height * width) + ops.clip(yy, 0, height - 1) * width + ops.clip(xx, 0, width - 1)
    values = ops.take(flat, ops.reshape(index, (-1,)), axis=0)
    values = ops.reshape(values, (*ops.shape(y), channels))
    return ops.where(inside[..., None], values, ops.cast(fill_value, images.dtype))


def sample_bilinear(images, source_index, y, x, fill_value=0.0):
    """Samples `images` `(B, H, W, C)` at float positions, jit-friendly.

    Args:
        images: `(B, H, W, C)`.
        source_index: int `(B, Ho, Wo)` (or broadcastable), the image to read
            for each output pixel (lets Mosaic read four images at once).
        y, x: float `(B, Ho, Wo)` source coordinates in pixels (pixel `i` has
            its centre at `i`).
        fill_value: value outside the source image.

    Returns:
        `(B, Ho, Wo, C)` in the dtype of `images`.
    """
    batch, height, width, channels = images.shape
    batch = ops.shape(images)[0] if batch is None else batch
    flat = ops.reshape(images, (-1, channels))
    dtype = images.dtype
    x0 = ops.floor(x)
    y0 = ops.floor(y)
    wx = ops.cast(x - x0, "float32")[..., None]
    wy = ops.cast(y - y0, "float32")[..., None]
    x0 = ops.cast(x0, "int32")
    y0 = ops.cast(y0, "int32")
    base = ops.cast(source_index, "int32") * (height * width)
    out_shape = ops.shape(y)

    def tap(yy, xx):
        inside = (yy >= 0) & (yy < height) & (xx >= 0) & (xx < width)
        index = base + ops.clip(yy, 0, height - 1) * width + ops.clip(xx, 0, width - 1)
        values = ops.take(flat, ops.reshape(index, (-1,)), axis=0)
        values = ops.reshape(ops.cast(values, "float32"), (*out_shape, channels))
        return ops.where(inside[..., None], values, fill_value)

    top = tap(y0, x0) * (1 - wx) + tap(y0, x0 + 1) * wx
    bottom = tap(y0 + 1, x0) * (1 - wx) + tap(y0 + 1, x0 + 1) * wx
    return ops.cast(top * (1 - wy) + bottom * wy, dtype)


def output_grid(batch, height, width):
    """Pixel centre coordinates `(B, H, W)` of an output image (y, x)."""
    ys = ops.arange(height, dtype="float32")[None, :, None]
    xs = ops.arange(width, dtype="float32")[None, None, :]
    ones = ops.ones((batch, height, width), "float32")
    return ys * ones, xs * ones
