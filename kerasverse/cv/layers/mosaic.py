"""`Mosaic` (YOLOv4): four images of the batch in a 2x2 grid around a random centre."""

import keras
from keras import ops

from kerasverse.cv.bounding_box.converters import convert_format
from kerasverse.cv.layers.base_augmentation import BaseAugmentationLayer
from kerasverse.cv.layers.base_augmentation import as_range
from kerasverse.cv.layers.base_augmentation import uniform
from kerasverse.cv.layers.image_sampling import output_grid
from kerasverse.cv.layers.image_sampling import sample_bilinear


@keras.saving.register_keras_serializable(package="kerasverse")
class Mosaic(BaseAugmentationLayer):
    """Combines each image with three random others of the batch into a mosaic.

    Per output image: a centre `(cy, cx)` is drawn with `offset` fractions of
    the height/width; the image itself and three random batch images, each
    shrunk to half size, are placed with a corner on the centre (top-left,
    top-right, bottom-left, bottom-right). Uncovered pixels get `fill_value`.
    Boxes of the four images are scaled, shifted, clipped to their quadrant
    and concatenated (`4 * N` slots; empty ones are padding, class -1).
    One-hot `labels`, when given, are mixed by the visible area of each image.

    Args:
        bounding_box_format: format of the boxes (needed with boxes).
        offset: `(low, high)` fractions in `(0, 1)` for the centre.
        fill_value: value of uncovered pixels.
        seed: integer seed.

    Example:

    >>> import numpy as np
    >>> layer = Mosaic(bounding_box_format="xyxy", seed=0)
    >>> data = {"images": np.ones((4, 32, 32, 3), "float32"),
    ...         "bounding_boxes": {"boxes": np.array([[[0, 0, 32, 32]]] * 4, "float32"),
    ...                            "classes": np.arange(4, dtype="float32")[:, None]}}
    >>> out = layer(data)
    >>> tuple(out["images"].shape), tuple(out["bounding_boxes"]["classes"].shape)
    ((4, 32, 32, 3), (4, 4))
    """

    changes_geometry = True
    compute_output_shape = keras.layers.Layer.compute_output_shape  # trace `call`

    def __init__(self, bounding_box_format=None, offset=(0.25, 0.75), fill_value=0.0, seed=None, **kwargs):
        super().__init__(seed=seed, bounding_box_format=bounding_box_format, **kwargs)
        self.offset = as_range(offset, "offset", 0.0, 1.0)
        self.fill_value = fill_value

    def augment(self, images, bounding_boxes, labels):
        batch, height, width, _ = ops.shape(images)
        centre_y = ops.floor(uniform(self, (batch,), *self.offset) * height)
        centre_x = ops.floor(uniform(self, (batch,), *self.offset) * width)
        others = ops.cast(ops.floor(uniform(self, (batch, 3), 0.0, 1.0) * batch), "int32")
        sources = ops.concatenate([ops.arange(batch, dtype="int32")[:, None], ops.minimum(others, batch - 1)], axis=1)
        # Placement of each quadrant's half-size image (top, left), shape (B, 4).
        half_h, half_w = height / 2.0, width / 2.0
        top = ops.stack([centre_y - half_h, centre_y - half_h, centre_y, centre_y], axis=1)
        left = ops.stack([centre_x - half_w, centre_x, centre_x - half_w, centre_x], axis=1)
        ys, xs = output_grid(batch, height, width)
        quadrant = ops.cast(ys >= centre_y[:, None, None], "int32") * 2 + ops.cast(xs >= centre_x[:, None, None], "int32")
        q_top = ops.take_along_axis(top, ops.reshape(quadrant, (batch, -1)), axis=1)
        q_left = ops.take_along_axis(left, ops.reshape(quadrant, (batch, -1)), axis=1)
        q_source = ops.take_along_axis(sources, ops.reshape(quadrant, (batch, -1)), axis=1)
        shape = (batch, height, width)
        q_top, q_left, q_source = ops.reshape(q_top, shape), ops.reshape(q_left, shape), ops.reshape(q_source, shape)
        src_y = (ys - q_top + 0.5) * 2.0 - 0.5
        src_x = (xs - q_left + 0.5) * 2.0 - 0.5
        inside = (ys >= q_top) & (ys < q_top + half_h) & (xs >= q_left) & (xs < q_left + half_w)
        out = sample_bilinear(images, q_source, ops.clip(src_y, 0, height - 1), ops.clip(src_x, 0, width - 1))
        out = ops.where(inside[..., None], out, ops.cast(self.fill_value, out.dtype))
        # Visible area of each quadrant, for labels: quadrant boxes in output pixels.
        q_y0 = ops.stack([ops.zeros_like(centre_y), ops.zeros_like(centre_y), centre_y, centre_y], axis=1)
        q_y1 = ops.stack([centre_y, centre_y, ops.full_like(centre_y, height), ops.full_like(centre_y, height)], axis=1)
        q_x0 = ops.stack([ops.zeros_like(centre_x), centre_x, ops.zeros_like(centre_x), centre_x], axis=1)
        q_x1 = ops.stack([centre_x, ops.full_like(centre_x, width), centre_x, ops.full_like(centre_x, width)], axis=1)
        vis_y0, vis_y1 = ops.maximum(q_y0, top), ops.minimum(q_y1, top + half_h)
        vis_x0, vis_x1 = ops.maximum(q_x0, left), ops.minimum(q_x1, left + half_w)
        if labels is not None:
            area = ops.maximum(vis_y1 - vis_y0, 0) * ops.maximum(vis_x1 - vis_x0, 0)
            weights = area / ops.maximum(ops.sum(area, axis=1, keepdims=True), 1.0)
            labels = ops.convert_to_tensor(labels)
            gathered = ops.take(ops.cast(labels, "float32"), sources, axis=0)  # (B, 4, K)
            labels = ops.sum(gathered * weights[..., None], axis=1)
        if bounding_boxes is not None:
            bounding_boxes = self._mosaic_boxes(
                bounding_boxes, sources, top, left, (vis_y0, vis_x0, vis_y1, vis_x1), (height, width)
            )
        return out, bounding_boxes, labels

    def _mosaic_boxes(self, bounding_boxes, sources, top, left, visible, size):
        boxes = convert_format(bounding_boxes["boxes"], self.bounding_box_format, "xyxy", image_shape=size)
        classes = bounding_boxes["classes"]
        batch, num_boxes = ops.shape(classes)[0], ops.shape(classes)[1]
        boxes = ops.take(boxes, sources, axis=0)  # (B, 4, N, 4)
        classes = ops.take(classes, sources, axis=0)  # (B, 4, N)
        vis_y0, vis_x0, vis_y1, vis_x1 = (v[:, :, None] for v in visible)
        x0 = ops.clip(boxes[..., 0] / 2 + left[:, :, None], vis_x0, vis_x1)
        y0 = ops.clip(boxes[..., 1] / 2 + top[:, :, None], vis_y0, vis_y1)
        x1 = ops.clip(boxes[..., 2] / 2 + left[:, :, None], vis_x0, vis_x1)
        y1 = ops.clip(boxes[..., 3] / 2 + top[:, :, None], vis_y0, vis_y1)
        valid = (x1 > x0) & (y1 > y0) & ops.not_equal(ops.cast(classes, "int32"), -1)
        moved = ops.stack([x0, y0, x1, y1], axis=-1)
        moved = convert_format(moved, "xyxy", self.bounding_box_format, image_shape=size)
        moved = ops.where(valid[..., None], moved, -1.0)
        classes = ops.where(valid, classes, ops.cast(-1, classes.dtype))
        result = dict(bounding_boxes)
        result["boxes"] = ops.reshape(moved, (batch, 4 * num_boxes, 4))
        result["classes"] = ops.reshape(classes, (batch, 4 * num_boxes))
        return result

    def get_config(self):
        config = super().get_config()
        config.update({"offset": self.offset, "fill_value": self.fill_value})
        return config
