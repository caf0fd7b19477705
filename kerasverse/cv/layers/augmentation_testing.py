"""Test helpers shared by the augmentation layer tests (not public API)."""

import keras
import numpy as np


def box_images(batch=4, size=64, num_boxes=3, seed=0):
    """Black images with white filled boxes, and those boxes (xyxy) with classes 0..n-1."""
    rng = np.random.default_rng(seed)
    images = np.zeros((batch, size, size, 3), "float32")
    boxes = np.zeros((batch, num_boxes, 4), "float32")
    for b in range(batch):
        for n in range(num_boxes):
            w, h = rng.integers(size // 6, size // 3, size=2)
            x, y = rng.integers(0, size - w), rng.integers(0, size - h)
            boxes[b, n] = [x, y, x + w, y + h]
            images[b, y : y + h, x : x + w] = 255.0
    classes = np.tile(np.arange(num_boxes, dtype="float32"), (batch, 1))
    return {"images": images, "bounding_boxes": {"boxes": boxes, "classes": classes}}


def fraction_white_inside(output):
    """For every kept box: the fraction of bright pixels inside it (should be ~1)."""
    images = np.asarray(keras.ops.convert_to_numpy(output["images"]))
    boxes = np.asarray(keras.ops.convert_to_numpy(output["bounding_boxes"]["boxes"]))
    classes = np.asarray(keras.ops.convert_to_numpy(output["bounding_boxes"]["classes"]))
    fractions = []
    for b in range(len(images)):
        for box, cls in zip(boxes[b], classes[b]):
            if cls == -1:
                continue
            x0, y0, x1, y1 = np.round(box).astype(int)
            inner = images[b, y0 + 1 : y1 - 1, x0 + 1 : x1 - 1, 0]
            if inner.size:
                fractions.append(float((inner > 127).mean()))
    return np.array(fractions)


class _AlwaysTraining(keras.Model):
    """Calls the layer with `training=True` even inside `predict`."""

    def __init__(self, layer, **kwargs):
        super().__init__(**kwargs)
        self.augmentation = layer

    def call(self, inputs, training=None):
        return self.augmentation(inputs, training=True)


def predict_twice(layer, data):
    """Runs the layer (training=True) inside a compiled model's `predict`, twice."""
    model = _AlwaysTraining(layer)
    model.compile(jit_compile=keras.config.backend() == "jax")
    batch = keras.tree.flatten(data)[0].shape[0]
    first = model.predict(data, batch_size=batch, verbose=0)
    second = model.predict(data, batch_size=batch, verbose=0)
    return first, second
