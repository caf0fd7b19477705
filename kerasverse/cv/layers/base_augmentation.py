"""`BaseAugmentationLayer`: what every kerasverse.cv augmentation layer shares.

Inputs are batched: an image tensor `(B, H, W, C)`, or a dict with
`"images"`, optionally `"bounding_boxes": {"boxes", "classes"}` (dense,
class `-1` = padding) and `"labels"`; other keys pass through. Randomness
comes from a `keras.random.SeedGenerator` owned by the layer: every call
draws new values, also inside `model.predict`/`fit` under jit (the seed
state is a layer variable the trainer threads through), and
`layer.stateless_call(...)` exposes it explicitly.
"""

import keras
from keras import ops

from kerasverse.cv.bounding_box.formats import check_format


class BaseAugmentationLayer(keras.layers.Layer):
    """Base class: unpacks inputs, checks them, calls `augment(data)`, repacks.

    Subclasses implement `augment(images, bounding_boxes, labels)` returning
    the same triple (bounding boxes in `self.bounding_box_format`). With
    `training=False` (e.g. inside `model.predict`) the inputs pass through
    unchanged, except for layers that change the image size, which then apply
    their deterministic version (no jitter, full crop).

    Args:
        seed: integer seed of the layer's `SeedGenerator`.
        bounding_box_format: format of input boxes; required by layers that
            change geometry when boxes are given.
    """

    changes_geometry = False
    changes_size = False  # such layers also run at inference, deterministically

    def __init__(self, seed=None, bounding_box_format=None, **kwargs):
        super().__init__(**kwargs)
        self.seed = seed
        self.bounding_box_format = None if bounding_box_format is None else check_format(bounding_box_format)
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.supports_jit = True

    def call(self, inputs, training=True):
        is_dict = isinstance(inputs, dict)
        images = inputs["images"] if is_dict else inputs
        if isinstance(images, (list, tuple)):
            shapes = sorted({tuple(getattr(i, "shape", ())) for i in images})
            raise ValueError(
                "Images must be one batched tensor (batch, height, width, channels); images of "
                f"mixed sizes cannot be batched. Received: a list of images with shapes {shapes[:4]}. "
                "Resize them first, e.g. with `keras.layers.Resizing` or `JitteredResize`."
            )
        images = ops.convert_to_tensor(images)
        if len(images.shape) != 4:
            raise ValueError(
                f"{type(self).__name__} expects batched images (batch, height, width, channels). "
                f"Received: images.shape={tuple(images.shape)}. Add a batch axis with `images[None]`."
            )
        boxes = inputs.get("bounding_boxes") if is_dict else None
        if boxes is not None and self.changes_geometry and self.bounding_box_format is None:
            raise ValueError(
                f"{type(self).__name__} moves pixels, so it needs `bounding_box_format` to move the "
                "boxes too. Received: bounding_box_format=None with bounding boxes."
            )
        labels = inputs.get("labels") if is_dict else None
        self._inference = not training
        if not training and not self.changes_size:
            return inputs
        if boxes is not None:
            boxes = dict(boxes)
            boxes["boxes"] = ops.cast(ops.convert_to_tensor(boxes["boxes"]), "float32")
            boxes["classes"] = ops.convert_to_tensor(boxes["classes"])
        new_images, new_boxes, new_labels = self.augment(images, boxes, labels)
        if not is_dict:
            return new_images
        result = dict(inputs)
        result["images"] = new_images
        if new_boxes is not None:
            result["bounding_boxes"] = new_boxes
        if new_labels is not None:
            result["labels"] = new_labels
        return result

    def augment(self, images, bounding_boxes, labels):
        raise NotImplementedError

    def compute_output_shape(self, input_shape):
        # Pixel-only layers keep every shape; geometric layers trace `call`
        # instead (they reset this to Keras' default).
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update({"seed": self.seed, "bounding_box_format": self.bounding_box_format})
        return config


def uniform(layer, shape, low, high, dtype="float32"):
    """Uniform draws from the layer's seed generator."""
    return keras.random.uniform(shape, minval=low, maxval=high, dtype=dtype, seed=layer.seed_generator)


def as_range(value, name, low=None, high=None):
    """A factor `x` or `(lo, hi)` as a checked `(lo, hi)` tuple."""
    if isinstance(value, (int, float)):
        value = (0.0, float(value)) if low is not None and low >= 0 else (-float(value), float(value))
    if not isinstance(value, (list, tuple)) or len(value) != 2 or value[0] > value[1]:
        raise ValueError(f"`{name}` must be a number or a pair (low, high) with low <= high. Received: {name}={value!r}.")
    lo, hi = float(value[0]), float(value[1])
    if (low is not None and lo < low) or (high is not None and hi > high):
        raise ValueError(f"`{name}` must lie in [{low}, {high}]. Received: {name}={value!r}.")
    return lo, hi
