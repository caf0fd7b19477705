"""`RandomAugmentationPipeline`: keras_cv's "apply a few random layers per image"."""

import keras
import numpy as np
from keras import ops


@keras.saving.register_keras_serializable(package="kerasverse")
class RandomAugmentationPipeline(keras.layers.Layer):
    """Applies `augmentations_per_image` randomly chosen layers to each image.

    As in keras_cv: for each image and each of `augmentations_per_image`
    rounds, with probability `rate` one layer is drawn uniformly from
    `layers` (with replacement across rounds) and applied to that image;
    otherwise the round leaves it unchanged. Use it to build
    RandAugment/AutoAugment-like policies (see
    `RandAugment.get_standard_policy`).

    Each round runs every drawn layer once on the images that drew it
    (eagerly) or on the whole batch followed by a per-image selection (inside
    `jax.jit`), so any Keras 3 augmentation layer that keeps the image shape
    works, including on dicts `{"images", "labels", "bounding_boxes", ...}`.

    Args:
        layers: list of `keras.layers.Layer`; `[]` makes the layer a no-op.
        augmentations_per_image: int, the rounds per image.
        rate: float in `[0, 1]`, probability that a round applies a layer
            (with 3 rounds and `rate=0.5`, an image stays as is with
            probability `0.5 ** 3`).
        auto_vectorize: accepted for keras_cv compatibility; batches are
            always processed vectorized here.
        seed: integer seed.

    Example:

    >>> import numpy as np
    >>> import keras
    >>> pipeline = RandomAugmentationPipeline(
    ...     layers=[keras.layers.RandomFlip("horizontal"), keras.layers.RandomContrast(0.5)],
    ...     augmentations_per_image=1, seed=0)
    >>> images = np.random.default_rng(0).uniform(0, 255, (4, 8, 8, 3)).astype("float32")
    >>> tuple(pipeline(images).shape)
    (4, 8, 8, 3)
    """

    def __init__(self, layers, augmentations_per_image, rate=1.0, auto_vectorize=False, seed=None, **kwargs):
        super().__init__(**kwargs)
        layers = list(layers)
        for i, layer in enumerate(layers):
            if not isinstance(layer, keras.layers.Layer):
                raise TypeError(
                    f"`layers` must be a list of Keras layers. Received: layers[{i}]={layer!r} (of type {type(layer).__name__})"
                )
        if isinstance(augmentations_per_image, bool) or not isinstance(augmentations_per_image, (int, np.integer)) \
                or augmentations_per_image < 0:
            raise ValueError(
                "`augmentations_per_image` must be a non-negative integer. "
                f"Received: augmentations_per_image={augmentations_per_image!r}"
            )
        if not 0.0 <= float(rate) <= 1.0:
            raise ValueError(f"`rate` must be in [0, 1]. Received: rate={rate!r}")
        self._augmentation_layers = layers
        self.augmentations_per_image = int(augmentations_per_image)
        self.rate = float(rate)
        self.auto_vectorize = auto_vectorize
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.supports_jit = True

    @property
    def layers(self):
        return list(self._augmentation_layers)

    def build(self, input_shape):
        self.built = True

    def call(self, inputs, training=True):
        if not training or not self._augmentation_layers or not self.augmentations_per_image:
            return inputs
        data = dict(inputs) if isinstance(inputs, dict) else inputs
        images = data["images"] if isinstance(data, dict) else data
        batch = ops.shape(images)[0]
        count = len(self._augmentation_layers)
        for _ in range(self.augmentations_per_image):
            draw = keras.random.uniform((batch,), seed=self.seed_generator)
            choice = ops.minimum(ops.cast(ops.floor(draw * count), "int32"), count - 1)
            apply = keras.random.uniform((batch,), seed=self.seed_generator) < self.rate
            choice = ops.where(apply, choice, -1)
            data = self._apply_choice(data, choice, batch)
        return data

    def _apply_choice(self, data, choice, batch):
        masks = [ops.equal(choice, k) for k in range(len(self._augmentation_layers))]
        try:  # Eager: run each layer on the images that drew it.
            masks = [np.asarray(ops.convert_to_numpy(mask)) for mask in masks]
        except Exception:  # Traced (jit): run each layer on the batch and select per image.
            for layer, mask in zip(self._augmentation_layers, masks):
                new = self._check_shapes(layer, data, layer(data, training=True))
                data = keras.tree.map_structure(lambda a, b, m=mask: _select(m, a, b), new, data)
            return data
        for layer, mask in zip(self._augmentation_layers, masks):
            if not mask.any():
                continue
            index = ops.convert_to_tensor(np.flatnonzero(mask).astype("int32"))
            subset = keras.tree.map_structure(lambda x, index=index: _take(x, index, batch), data)
            new = self._check_shapes(layer, subset, layer(subset, training=True))
            data = keras.tree.map_structure(lambda x, y, index=index: _put(x, index, y, batch), data, new)
        return data

    @staticmethod
    def _check_shapes(layer, before, after):
        before_images = before["images"] if isinstance(before, dict) else before
        after_images = after["images"] if isinstance(after, dict) else after
        if tuple(before_images.shape) != tuple(after_images.shape):
            raise ValueError(
                "Every layer of a RandomAugmentationPipeline must keep the image shape (images that did "
                f"not draw it are left as they are). Received: {type(layer).__name__} turned images of "
                f"shape {tuple(before_images.shape)} into {tuple(after_images.shape)}. Resize before the pipeline."
            )
        return after

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update({
            "layers": [keras.saving.serialize_keras_object(layer) for layer in self._augmentation_layers],
            "augmentations_per_image": self.augmentations_per_image,
            "rate": self.rate,
            "auto_vectorize": self.auto_vectorize,
            "seed": self.seed,
        })
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config["layers"] = [keras.saving.deserialize_keras_object(layer) for layer in config["layers"]]
        return cls(**config)


def _is_batched(x, batch):
    shape = getattr(x, "shape", None)
    return shape is not None and len(shape) > 0 and shape[0] == batch


def _take(x, index, batch):
    return ops.take(x, index, axis=0) if _is_batched(x, batch) else x


def _put(x, index, new, batch):
    if not _is_batched(x, batch):
        return x
    new = ops.cast(new, x.dtype)
    return ops.scatter_update(x, ops.expand_dims(index, 1), new)


def _select(mask, new, old):
    if not hasattr(old, "shape") or len(old.shape) == 0:
        return old
    mask = ops.reshape(mask, (-1,) + (1,) * (len(old.shape) - 1))
    return ops.where(mask, ops.cast(new, old.dtype), old)
