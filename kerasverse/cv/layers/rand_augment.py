"""`RandAugment` (Cubuk et al., 2020) that only computes the transforms it picked."""

import math

import keras
import numpy as np
from keras import ops

from kerasverse.cv.layers.base_augmentation import BaseAugmentationLayer
from kerasverse.cv.layers.image_sampling import output_grid
from kerasverse.cv.layers.image_sampling import sample_nearest

COLOR_OPS = (
    "identity", "auto_contrast", "equalize", "solarize", "solarize_add", "color", "contrast",
    "brightness", "sharpness", "posterize",
)
GEOMETRIC_OPS = ("rotate", "shear_x", "shear_y", "translate_x", "translate_y")
_GRAY = (0.299, 0.587, 0.114)


@keras.saving.register_keras_serializable(package="kerasverse")
class RandAugment(BaseAugmentationLayer):
    """RandAugment with per-image op choice, computing only what was chosen.

    For each of `augmentations_per_image` rounds, every image draws its own
    op (uniformly among the policy's ops; with probability `1 - rate` it
    keeps the image) and its own magnitude `~ N(magnitude, magnitude_stddev)`
    clipped to `[0, 1]`. Instead of computing every transform and selecting
    (what `keras.layers.RandAugment` does), the cheap transforms are folded
    into one per-image affine colour map (identity, brightness, colour,
    contrast, auto-contrast), one piecewise-linear map (solarize,
    solarize-add) and posterize, all fused into one pass over the batch; the
    costly ones (equalize, sharpness, and the geometric ops as one affine
    resampling) run only on the images that drew them, one image at a time
    inside a jit-compatible loop whose trip count is the number of such
    images.

    Args:
        value_range: `(low, high)` of pixel values, e.g. `(0, 255)`.
        augmentations_per_image: rounds per image.
        magnitude: mean strength in `[0, 1]`.
        magnitude_stddev: standard deviation of the strength.
        rate: probability that a round changes the image.
        geometric: include rotate/shear/translate (nearest-pixel sampling
            like the reference AutoAugment/RandAugment code; boxes are not
            moved, use `geometric=False` for detection data).
        seed: integer seed.

    Example:

    >>> import numpy as np
    >>> layer = RandAugment(value_range=(0, 255), augmentations_per_image=2, magnitude=0.5, seed=0)
    >>> images = np.random.default_rng(0).uniform(0, 255, (4, 16, 16, 3)).astype("float32")
    >>> out = np.asarray(layer(images))
    >>> out.shape, bool(out.min() >= 0 and out.max() <= 255)
    ((4, 16, 16, 3), True)
    """

    def __init__(self, value_range, augmentations_per_image=3, magnitude=0.5, magnitude_stddev=0.15,
                 rate=10 / 11, geometric=True, seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        if len(value_range) != 2 or value_range[0] >= value_range[1]:
            raise ValueError(f"`value_range` must be (low, high) with low < high. Received: value_range={value_range!r}.")
        if not 0 <= magnitude <= 1 or not 0 <= rate <= 1:
            raise ValueError(
                f"`magnitude` and `rate` must be in [0, 1]. Received: magnitude={magnitude}, rate={rate}."
            )
        self.value_range = (float(value_range[0]), float(value_range[1]))
        self.augmentations_per_image = int(augmentations_per_image)
        self.magnitude = float(magnitude)
        self.magnitude_stddev = float(magnitude_stddev)
        self.rate = float(rate)
        self.geometric = geometric
        self.ops_names = COLOR_OPS[1:] + (GEOMETRIC_OPS if geometric else ())

    def augment(self, images, bounding_boxes, labels):
        low, high = self.value_range
        dtype = images.dtype
        x = ops.cast(images, "float32")
        if (low, high) != (0.0, 255.0):
            x = (x - low) * (255.0 / (high - low))
        # Every op maps [0, 255] into itself, so one clip here keeps all rounds in range.
        x = ops.clip(x, 0.0, 255.0)
        for _ in range(self.augmentations_per_image):
            x = self._one_round(x)
        if (low, high) != (0.0, 255.0):
            x = x * ((high - low) / 255.0) + low
        return ops.cast(x, dtype), bounding_boxes, labels

    # ------------------------------------------------------------------ round
    def _one_round(self, x):
        batch = ops.shape(x)[0]
        names = self.ops_names
        choice = ops.cast(ops.floor(keras.random.uniform((batch,), seed=self.seed_generator) * len(names)), "int32")
        choice = ops.minimum(choice, len(names) - 1)
        apply = keras.random.uniform((batch,), seed=self.seed_generator) < self.rate
        choice = ops.where(apply, choice, -1)
        m = ops.clip(self.magnitude + self.magnitude_stddev * keras.random.normal((batch,), seed=self.seed_generator), 0, 1)
        sign = ops.where(keras.random.uniform((batch,), seed=self.seed_generator) < 0.5, -1.0, 1.0)
        factor = 1.0 + sign * m * 0.9

        def picked(name):
            return ops.equal(choice, names.index(name)) if name in names else ops.zeros((batch,), "bool")

        def any_picked(group):
            mask = ops.zeros((batch,), "bool")
            for name in group:
                mask = ops.logical_or(mask, picked(name))
            return mask

        def cheap(part):
            return lambda images, index: ops.clip(part(
                images, {name: ops.take(picked(name), index) for name in _CHEAP_OPS},
                ops.take(factor, index), ops.take(m, index),
            ), 0.0, 255.0)

        kind = choice - len(COLOR_OPS) + 1  # 0..4 for the geometric ops
        amount = m * sign
        # Each image drew one op, so these groups are disjoint.
        groups = [
            (any_picked(("auto_contrast", "color", "contrast", "brightness")), cheap(_color_map)),
            (any_picked(("solarize", "solarize_add")), cheap(_piecewise)),
            (picked("posterize"), cheap(_posterize)),
            (picked("sharpness"), lambda images, index: _sharpen(images, ops.take(factor, index))),
            (picked("equalize"), lambda images, index: _equalize(images)),
        ]
        if self.geometric:
            groups.append((any_picked(GEOMETRIC_OPS),
                           lambda images, index: _affine(images, ops.take(kind, index), ops.take(amount, index))))
        return _apply_groups(x, groups, num_fused=3)

    @staticmethod
    def get_standard_policy(value_range, magnitude, magnitude_stddev, geometric=True, seed=None):
        """keras_cv's RandAugment policy as a list of layers for `RandomAugmentationPipeline`.

        The same ten layers in keras_cv's order (six colour layers, then
        shear x/y and translate x/y when `geometric`), built from the Keras 3
        layers under their keras_cv names, with keras_cv's strengths for
        `magnitude`: solarize addition `110 m` and threshold `255 (1 - m)`,
        colour degeneration `m`, contrast `max(m, 0.001)`, brightness `m`,
        shear `m`, translation `m`. Where keras_cv draws a factor from a
        normal distribution `N(mean, magnitude_stddev)` clipped to its range,
        the Keras 3 layers take a uniform range: we use
        `mean +- sqrt(3) * magnitude_stddev` (clipped), which has the same
        mean and standard deviation before clipping.

        Args:
            value_range: `(low, high)` of the pixel values.
            magnitude: float in `[0, 1]`, the strength.
            magnitude_stddev: float in `[0, 1]`, its spread.
            geometric: include the shear and translation layers.
            seed: integer seed given to every layer.

        Returns:
            A list of 10 layers (6 without `geometric`).

        Example:

        >>> policy = RandAugment.get_standard_policy(value_range=(0, 255), magnitude=0.5, magnitude_stddev=0.1)
        >>> [type(layer).__name__ for layer in policy][:3]
        ['AutoContrast', 'Equalization', 'Solarization']
        """
        from kerasverse.cv.layers import aliases

        if not 0 <= magnitude <= 1 or not 0 <= magnitude_stddev <= 1:
            raise ValueError(
                "`magnitude` and `magnitude_stddev` must be in [0, 1]. Received: "
                f"magnitude={magnitude}, magnitude_stddev={magnitude_stddev}"
            )
        value_range = tuple(value_range)
        spread = math.sqrt(3.0) * magnitude_stddev

        def around(mean, scale=1.0):
            """A uniform `(lo, hi)` fraction of `[0, 1]` with keras_cv's normal mean and stddev."""
            lo = min(max(mean - spread * scale, 0.0), 1.0)
            hi = min(max(mean + spread * scale, 0.0), 1.0)
            return (lo, hi)

        layers = [
            aliases.AutoContrast(value_range=value_range),
            aliases.Equalization(value_range=value_range),
            # keras_cv: addition ~ N(110 m, 110 sd) in [0, 110], threshold ~ N(255 (1 - m), 255 sd).
            aliases.Solarization(
                addition_factor=tuple(110.0 / 255.0 * v for v in around(magnitude)),
                threshold_factor=around(1.0 - magnitude),
                value_range=value_range,
                seed=seed,
            ),
            aliases.RandomColorDegeneration(factor=around(magnitude), value_range=value_range, seed=seed),
            # A pair: Keras 3 reads a single float f as [1, 1 + f], keras_cv as [1 - f, 1 + f].
            aliases.RandomContrast(factor=(max(magnitude, 0.001),) * 2, value_range=value_range, seed=seed),
            aliases.RandomBrightness(factor=magnitude, value_range=value_range, seed=seed),
        ]
        if geometric:
            layers += [
                aliases.RandomShear(x_factor=around(magnitude), y_factor=0.0, seed=seed),
                aliases.RandomShear(x_factor=0.0, y_factor=around(magnitude), seed=seed),
                aliases.RandomTranslation(height_factor=0.0, width_factor=magnitude, seed=seed),
                aliases.RandomTranslation(height_factor=magnitude, width_factor=0.0, seed=seed),
            ]
        return layers

    def get_config(self):
        config = super().get_config()
        config.update({
            "value_range": self.value_range,
            "augmentations_per_image": self.augmentations_per_image,
            "magnitude": self.magnitude,
            "magnitude_stddev": self.magnitude_stddev,
            "rate": self.rate,
            "geometric": self.geometric,
        })
        return config


def _color_map(x, chosen, factor, m):
    """Per-channel affine map `scale * x + mix * gray(x) + offset`: brightness, colour (blend
    with grayscale), contrast (blend with the mean gray) and auto-contrast.

    `chosen[name]` is a boolean `(B,)`; other images come back unchanged (as
    in `_piecewise` and `_posterize`, which share this signature).
    """
    lo, hi, channel_mean = _channel_statistics(x)  # each (B, 3)
    gray_mean = ops.sum(channel_mean * ops.convert_to_tensor(_GRAY), axis=-1)
    blends = ops.logical_or(ops.logical_or(chosen["brightness"], chosen["color"]), chosen["contrast"])
    scale = ops.where(blends, factor, 1.0)[:, None] * ops.ones((1, 3))
    mix = ops.where(chosen["color"], 1.0 - factor, 0.0)
    offset = ops.where(chosen["contrast"][:, None], ((1.0 - factor) * gray_mean)[:, None] * ops.ones((1, 3)), 0.0)
    spread = hi - lo
    stretch = ops.where(spread > 0, 255.0 / ops.maximum(spread, 1e-6), 1.0)
    is_auto = chosen["auto_contrast"][:, None]
    scale = ops.where(is_auto, stretch, scale)
    offset = ops.where(is_auto, ops.where(spread > 0, -lo * stretch, 0.0), offset)
    gray = x[..., 0:1] * _GRAY[0] + x[..., 1:2] * _GRAY[1] + x[..., 2:3] * _GRAY[2]
    return x * scale[:, None, None, :] + mix[:, None, None, None] * gray + offset[:, None, None, :]


def _piecewise(x, chosen, factor, m):
    """x < t -> x + add, else a2 x + c2: solarize (invert above 256 - 256 m), solarize-add."""
    is_sol, is_add = chosen["solarize"], chosen["solarize_add"]
    threshold = ops.where(is_sol, 256.0 - m * 256.0, ops.where(is_add, 128.0, 1e9))[:, None, None, None]
    add = ops.where(is_add, m * 110.0, 0.0)[:, None, None, None]
    a2 = ops.where(is_sol, -1.0, 1.0)[:, None, None, None]
    c2 = ops.where(is_sol, 255.0, 0.0)[:, None, None, None]
    return ops.where(x < threshold, x + add, a2 * x + c2)


def _posterize(x, chosen, factor, m):
    """Keeps 8 - round(4 m) bits."""
    step = ops.power(2.0, ops.round(m * 4.0))[:, None, None, None]
    posterized = ops.floor(ops.clip(x, 0, 255) / step) * step
    return ops.where(chosen["posterize"][:, None, None, None], posterized, x)


_CHEAP_OPS = ("auto_contrast", "solarize", "solarize_add", "color", "contrast", "brightness", "posterize")


def _apply_groups(x, groups, num_fused=0):
    """Applies `fn(images, indices)` to the images of each disjoint `(mask, fn)` group.

    Each `fn` maps a batch of images and their indices in `x` to new images;
    the first `num_fused` are element-wise and leave unchosen images
    unchanged. The cost follows the number of chosen images:

    - eager (torch, or JAX outside jit): each group's images are gathered and
      transformed together, and all results are scattered back at once.
    - traced (`jax.jit`): the element-wise groups run on the whole batch
      (XLA fuses them into one pass, cheaper than any gather); every other
      group loops over its chosen images one at a time (the trip count is
      the number chosen): one image (~600 KB at 224x224x3) stays in the CPU
      cache while it is transformed, several times faster than a group.
    """
    counts = [ops.sum(ops.cast(mask, "int32")) for mask, _ in groups]
    try:  # eager: the counts are known
        counts = [int(ops.convert_to_numpy(count)) for count in counts]
    except Exception:  # traced (jit)
        return _apply_groups_traced(x, groups, counts, num_fused)
    indices, updates = [], []
    for (mask, fn), count in zip(groups, counts):
        if count:
            index = ops.convert_to_tensor(np.flatnonzero(ops.convert_to_numpy(mask)).astype("int32"))
            indices.append(index)
            updates.append(fn(ops.take(x, index, axis=0), index))
    if not indices:
        return x
    index = ops.concatenate(indices) if len(indices) > 1 else indices[0]
    new = ops.concatenate(updates) if len(updates) > 1 else updates[0]
    return ops.scatter_update(x, index[:, None], new)


def _apply_groups_traced(x, groups, counts, num_fused):
    every = ops.arange(ops.shape(x)[0], dtype="int32")
    for _, fn in groups[:num_fused]:
        x = fn(x, every)
    _, height, width, channels = x.shape
    for (mask, fn), count in zip(groups[num_fused:], counts[num_fused:]):
        order = ops.cast(ops.argsort(ops.cast(ops.logical_not(mask), "int32")), "int32")  # chosen first

        def body(k, images, order=order, fn=fn):
            index = order[k]
            image = ops.slice(images, (index, 0, 0, 0), (1, height, width, channels))
            return ops.slice_update(images, (index, 0, 0, 0), fn(image, index[None]))

        x = ops.fori_loop(0, count, body, x)
    return x


def _sharpen(images, factor):
    """PIL's SMOOTH kernel [[1, 1, 1], [1, 5, 1], [1, 1, 1]] / 13 as shifted sums, then a blend."""
    padded = ops.concatenate([images[:, :1], images, images[:, -1:]], axis=1)  # edge padding
    padded = ops.concatenate([padded[:, :, :1], padded, padded[:, :, -1:]], axis=2)
    rows = padded[:, :-2] + padded[:, 1:-1] + padded[:, 2:]
    box = rows[:, :, :-2] + rows[:, :, 1:-1] + rows[:, :, 2:]
    blurred = (box + 4.0 * images) / 13.0
    f = factor[:, None, None, None]
    return ops.clip(f * images + (1 - f) * blurred, 0.0, 255.0)


def _channel_statistics(images):
    """Per-image, per-channel minimum, maximum and mean `(B, C)` each.

    Reduces the rows first (contiguous, vectorized), then the columns: on CPU
    this is several times faster than one reduction over axes `(1, 2)`.
    """
    batch, height, width, channels = images.shape
    rows = ops.reshape(images, (-1, height, width * channels))
    per_column = [ops.reshape(reduce(rows, axis=1), (-1, width, channels)) for reduce in (ops.min, ops.max, ops.sum)]
    lo, hi, total = (reduce(v, axis=1) for reduce, v in zip((ops.min, ops.max, ops.sum), per_column))
    return lo, hi, total / (height * width)


def _equalize(images):
    """PIL-style histogram equalization per image and channel, as a lookup table."""
    batch, height, width, channels = images.shape
    values = ops.cast(ops.clip(images, 0, 255), "int32")  # truncation = floor for x >= 0
    segment = values + ops.reshape(ops.arange(batch * channels, dtype="int32") * 256, (batch, 1, 1, channels))
    segment = ops.reshape(segment, (-1,))
    histogram = ops.segment_sum(ops.ones_like(segment, "float32"), segment, num_segments=batch * channels * 256)
    histogram = ops.reshape(histogram, (batch * channels, 256))
    # Cumulative sum as a product with a triangular matrix: exact for counts < 2**24, and a
    # matmul is never fused into the lookup below (a fused `cumsum` is recomputed per pixel).
    steps = ops.arange(256, dtype="int32")
    cdf = ops.matmul(histogram, ops.cast(steps[:, None] <= steps[None, :], "float32"))
    cdf_min = ops.min(ops.where(histogram > 0, cdf, 1e9), axis=-1, keepdims=True)
    total = cdf[..., -1:]
    lut = ops.clip(ops.round((cdf - cdf_min) / ops.maximum(total - cdf_min, 1.0) * 255.0), 0, 255)
    lut = ops.where(total - cdf_min > 0, lut, ops.cast(steps, "float32")[None, :])
    return ops.reshape(ops.take(ops.reshape(lut, (-1,)), segment), (batch, height, width, channels))


def _affine(images, kind, amount):
    """rotate (30 deg), shear_x/y (0.3), translate_x/y (30% of the size) by `amount` in [-1, 1]."""
    batch, height, width, _ = images.shape
    angle = ops.where(ops.equal(kind, 0), amount * math.radians(30.0), 0.0)
    shear_x = ops.where(ops.equal(kind, 1), amount * 0.3, 0.0)
    shear_y = ops.where(ops.equal(kind, 2), amount * 0.3, 0.0)
    move_x = ops.where(ops.equal(kind, 3), amount * 0.3 * width, 0.0)
    move_y = ops.where(ops.equal(kind, 4), amount * 0.3 * height, 0.0)
    ys, xs = output_grid(batch, height, width)
    cy, cx = (height - 1) / 2.0, (width - 1) / 2.0
    u, v = xs - cx, ys - cy
    cos, sin = ops.cos(angle)[:, None, None], ops.sin(angle)[:, None, None]
    src_x = cos * u + sin * v + shear_x[:, None, None] * v - move_x[:, None, None] + cx
    src_y = -sin * u + cos * v + shear_y[:, None, None] * u - move_y[:, None, None] + cy
    index = ops.arange(batch, dtype="int32")[:, None, None]
    return sample_nearest(images, index, src_y, src_x, fill_value=128.0)
