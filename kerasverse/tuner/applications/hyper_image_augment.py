"""`HyperImageAugment`: a search over image augmentations (Keras layers)."""

import numbers

import keras

from kerasverse.tuner.applications import _common
from kerasverse.tuner.engine.hypermodel import HyperModel


def _transform_layer(name, factor):
    if name == "rotate":
        return keras.layers.RandomRotation(factor)
    if name == "translate_x":
        return keras.layers.RandomTranslation(0.0, factor)
    if name == "translate_y":
        return keras.layers.RandomTranslation(factor, 0.0)
    return keras.layers.RandomContrast(factor)


@keras.saving.register_keras_serializable(package="kerasverse")
class RandomTransformChoice(keras.layers.Layer):
    """Applies one of `transforms` to each image, picked at random per image
    (one RandAugment layer); the identity at inference.

    Args:
        transforms: A list of image augmentation layers.
        seed: Random seed of the choice.
        **kwargs: Standard layer arguments.

    Example:

    ```python
    layer = RandomTransformChoice([keras.layers.RandomRotation(0.2),
                                   keras.layers.RandomContrast(0.3)])
    ```
    """

    def __init__(self, transforms, seed=None, **kwargs):
        super().__init__(**kwargs)
        if not transforms:
            raise ValueError(
                "`transforms` must be a non-empty list of augmentation layers. "
                f"Received: transforms={transforms!r}"
            )
        self.transforms = list(transforms)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def build(self, input_shape):
        # An explicit build: Keras' default would run `call` symbolically, which on
        # torch traces every transform's affine warp on meta tensors (minutes).
        for transform in self.transforms:
            if not transform.built:
                transform.build(input_shape)

    def call(self, inputs, training=True):
        if not training:
            return inputs
        outputs = keras.ops.stack(
            [keras.ops.cast(t(inputs, training=True), inputs.dtype) for t in self.transforms]
        )
        batch_size = keras.ops.shape(inputs)[0]
        choice = keras.random.randint(
            (batch_size,), 0, len(self.transforms), seed=self.seed_generator
        )
        mask = keras.ops.transpose(
            keras.ops.one_hot(choice, len(self.transforms), dtype=inputs.dtype)
        )
        mask = keras.ops.reshape(mask, (len(self.transforms), -1) + (1,) * (len(inputs.shape) - 1))
        return keras.ops.sum(outputs * mask, axis=0)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update(
            transforms=[keras.saving.serialize_keras_object(t) for t in self.transforms],
            seed=self.seed,
        )
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config["transforms"] = [
            keras.saving.deserialize_keras_object(t) for t in config["transforms"]
        ]
        return cls(**config)


def _factor_range(name, value):
    """None/0 → off; x → (0, x); [x, y] → (x, y); each within [0, 1]."""
    if value is None or (isinstance(value, numbers.Number) and value == 0):
        return None
    if isinstance(value, numbers.Number):
        low, high = 0.0, float(value)
    elif isinstance(value, (list, tuple)) and len(value) == 2:
        low, high = float(value[0]), float(value[1])
    else:
        raise ValueError(
            f"`{name}` must be a number in [0, 1], a list of two such numbers, or None "
            f"(off). Received: {name}={value!r}"
        )
    if not 0.0 <= low <= high <= 1.0:
        raise ValueError(
            f"`{name}` must lie in [0, 1] with its lower bound first. Received: {name}={value!r}"
        )
    return low, high


class HyperImageAugment(HyperModel):
    """A search over image augmentations: a model from images to augmented
    images of the same shape, made of Keras' random augmentation layers
    (active in training only), to put in front of a classifier.

    With `augment_layers=0`, every transform is applied in turn, each with
    its factor tuned (`factor_rotate`, ... in steps of 0.05; a factor of 0
    drops the transform). Otherwise a simple RandAugment: the tuned
    `augment_layers` (an int from the given range) layers each apply one
    transform picked at random per image, with the trial's tuned factors.

    Args:
        input_shape: The image shape, such as (32, 32, 3).
        input_tensor: A Keras tensor to use as the image input instead.
        rotate: The search range of the rotation factor (a fraction of
            pi): x for [0, x], [x, y], or None to turn it off.
        translate_x: The same for horizontal translation (fraction of width).
        translate_y: The same for vertical translation (fraction of height).
        contrast: The same for the contrast factor.
        augment_layers: 0 (all transforms in turn), an int n (search 1..n
            RandAugment layers) or [min, max].
        **kwargs: `name`, `tunable` (see `HyperModel`).

    Example:

    ```python
    augment = kt.applications.HyperImageAugment(input_shape=(32, 32, 3),
                                                 rotate=0.2, contrast=None)
    ```
    """

    def __init__(self, input_shape=None, input_tensor=None, rotate=0.5, translate_x=0.4,
                 translate_y=0.4, contrast=0.3, augment_layers=3, **kwargs):
        super().__init__(**kwargs)
        _common.check_inputs("HyperImageAugment", input_shape, input_tensor)
        self.input_shape = input_shape
        self.input_tensor = input_tensor
        self.transforms = []
        for name, value in (("rotate", rotate), ("translate_x", translate_x),
                            ("translate_y", translate_y), ("contrast", contrast)):
            factor_range = _factor_range(name, value)
            if factor_range is not None:
                self.transforms.append((name, factor_range))
        if isinstance(augment_layers, (list, tuple)) and len(augment_layers) == 2:
            low, high = augment_layers
        else:
            low, high = (1, augment_layers) if augment_layers else (0, 0)
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in (low, high)) or not (
            0 <= low <= high
        ):
            raise ValueError(
                "`augment_layers` must be an int >= 0 or a list of two ints [min, max] "
                f"with 0 <= min <= max. Received: augment_layers={augment_layers!r}"
            )
        self.augment_layers = (low, high)

    def build(self, hp):
        inputs, x = _common.make_inputs(self.input_shape, self.input_tensor)
        low, high = self.augment_layers
        if high == 0:
            for name, (factor_low, factor_high) in self.transforms:
                factor = hp.Float(f"factor_{name}", factor_low, factor_high, step=0.05,
                                  default=factor_low)
                if factor > 0:
                    x = _transform_layer(name, factor)(x)
            return keras.Model(inputs, x, name="image_augment")
        num_layers = hp.Int("augment_layers", low, high, default=low)
        factors = {
            name: hp.Float(f"factor_{name}", factor_low, factor_high, default=factor_low)
            for name, (factor_low, factor_high) in self.transforms
        }
        if self.transforms:
            for _ in range(num_layers):
                x = RandomTransformChoice(
                    [_transform_layer(name, factor) for name, factor in factors.items()]
                )(x)
        return keras.Model(inputs, x, name="image_rand_augment")
