"""A generated detection dataset: coloured shapes on noisy backgrounds.

Used by the detection tests, `examples/cv_detection.py` and the docs: no
download, seeded, numpy only.
"""

import numpy as np

CLASS_NAMES = ("rectangle", "circle", "triangle")


def make_shapes_dataset(num_images, image_size=64, max_shapes=3, min_size=None, max_size=None, seed=0):
    """Images with 1..`max_shapes` rectangles, circles and triangles.

    Each shape has a random colour (the class is the shape, not the colour)
    on a background of a random base colour plus uniform noise. Shapes do not
    overlap by more than IoU 0.1.

    Args:
        num_images: number of images.
        image_size: height and width in pixels.
        max_shapes: most shapes per image (the box arrays are padded to it).
        min_size: smallest shape side in pixels (default `image_size // 6`).
        max_size: largest shape side (default `image_size // 2`).
        seed: random seed; the same seed gives the same dataset.

    Returns:
        `(images, bounding_boxes)`: float32 images in `[0, 1]` of shape
        `(num_images, image_size, image_size, 3)`, and a dict with `"boxes"`
        (`(num_images, max_shapes, 4)`, `xyxy` pixels) and `"classes"`
        (`(num_images, max_shapes)`), both padded with `-1`.

    Example:

    >>> images, boxes = make_shapes_dataset(4, image_size=32, seed=1)
    >>> images.shape, boxes["boxes"].shape, boxes["classes"].shape
    ((4, 32, 32, 3), (4, 3, 4), (4, 3))
    """
    if num_images < 1 or max_shapes < 1:
        raise ValueError(
            f"`num_images` and `max_shapes` must be >= 1. Received: num_images={num_images}, max_shapes={max_shapes}"
        )
    min_size = min_size or max(4, image_size // 6)
    max_size = max_size or image_size // 2
    if not 0 < min_size <= max_size <= image_size:
        raise ValueError(
            f"Shape sizes must satisfy 0 < min_size <= max_size <= image_size. Received: "
            f"min_size={min_size}, max_size={max_size}, image_size={image_size}"
        )
    rng = np.random.default_rng(seed)
    images = np.empty((num_images, image_size, image_size, 3), "float32")
    boxes = -np.ones((num_images, max_shapes, 4), "float32")
    classes = -np.ones((num_images, max_shapes), "float32")
    rows, cols = np.mgrid[0:image_size, 0:image_size].astype("float32") + 0.5
    for index in range(num_images):
        background = rng.uniform(0.0, 0.6, 3)
        image = background + rng.uniform(-0.15, 0.15, (image_size, image_size, 3))
        placed = []
        for _ in range(rng.integers(1, max_shapes + 1)):
            for _attempt in range(20):
                width, height = rng.integers(min_size, max_size + 1, 2)
                if rng.random() < 0.5:
                    height = width  # Some squares / regular shapes.
                x1 = rng.integers(0, image_size - width + 1)
                y1 = rng.integers(0, image_size - height + 1)
                box = np.array([x1, y1, x1 + width, y1 + height], "float32")
                if all(_iou(box, other) < 0.1 for other, _ in placed):
                    placed.append((box, int(rng.integers(0, len(CLASS_NAMES)))))
                    break
        for slot, (box, label) in enumerate(placed):
            mask = _mask(label, box, rows, cols)
            colour = rng.uniform(0.0, 1.0, 3)
            while np.abs(colour - background).max() < 0.35:
                colour = rng.uniform(0.0, 1.0, 3)
            image[mask] = colour + rng.uniform(-0.05, 0.05, (int(mask.sum()), 3))
            boxes[index, slot] = box
            classes[index, slot] = label
        images[index] = np.clip(image, 0.0, 1.0)
    return images, {"boxes": boxes, "classes": classes}


def _mask(label, box, rows, cols):
    x1, y1, x2, y2 = box
    inside = (cols >= x1) & (cols <= x2) & (rows >= y1) & (rows <= y2)
    if CLASS_NAMES[label] == "rectangle":
        return inside
    if CLASS_NAMES[label] == "circle":
        cx, cy, rx, ry = (x1 + x2) / 2, (y1 + y2) / 2, (x2 - x1) / 2, (y2 - y1) / 2
        return ((cols - cx) / rx) ** 2 + ((rows - cy) / ry) ** 2 <= 1.0
    # Triangle with its apex at the top centre and its base at the bottom.
    cx = (x1 + x2) / 2
    half_width = (rows - y1) / (y2 - y1) * (x2 - x1) / 2
    return inside & (np.abs(cols - cx) <= half_width)


def _iou(a, b):
    w = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    h = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = w * h
    area = lambda r: (r[2] - r[0]) * (r[3] - r[1])  # noqa: E731
    return inter / (area(a) + area(b) - inter)
