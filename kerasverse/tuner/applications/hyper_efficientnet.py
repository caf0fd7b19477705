"""`HyperEfficientNet`: EfficientNet B0-B7 from `keras.applications`, tuned."""

import keras

from kerasverse.tuner.applications import _common
from kerasverse.tuner.engine.hypermodel import HyperModel

# The resolution each version was designed for.
IMAGE_SIZES = {"B0": 224, "B1": 240, "B2": 260, "B3": 300, "B4": 380, "B5": 456, "B6": 528,
               "B7": 600}


class HyperEfficientNet(_common.ImageHyperModel):
    """An EfficientNet image classifier whose version and head are tuned.

    The images are resized to the version's resolution and go through
    `keras.applications.EfficientNet{version}` (random initialization; no
    download), then a pooling, dropout and softmax head. Hyperparameters:
    `version` ("B0" ... "B7"), `pooling` ("avg", "max"),
    `top_dropout_rate` (0.2 to 0.8), `learning_rate` (0.1, 0.01, 0.001,
    SGD with momentum 0.1). Compiled with `categorical_crossentropy`
    (one-hot labels) and accuracy, as in keras_tuner.

    Args:
        input_shape: The image shape, such as (64, 64, 3).
        input_tensor: A Keras tensor to use as the image input instead.
        classes: The number of classes.
        augmentation_model: An optional Keras model or `HyperModel` (such as
            `HyperImageAugment`) applied to the images first.
        **kwargs: `name`, `tunable` (see `HyperModel`).

    Example:

    ```python
    hypermodel = kt.applications.HyperEfficientNet(
        input_shape=(64, 64, 3), classes=10,
        augmentation_model=kt.applications.HyperImageAugment(input_shape=(64, 64, 3)))
    ```
    """

    def __init__(self, input_shape=None, input_tensor=None, classes=None,
                 augmentation_model=None, **kwargs):
        super().__init__(True, input_shape, input_tensor, classes, **kwargs)
        if augmentation_model is not None and not isinstance(
            augmentation_model, (HyperModel, keras.Model)
        ):
            raise ValueError(
                "`augmentation_model` must be a Keras `Model`, a `HyperModel` or None. "
                f"Received: augmentation_model={augmentation_model!r}"
            )
        self.augmentation_model = augmentation_model

    def build(self, hp):
        inputs, x = _common.make_inputs(self.input_shape, self.input_tensor)
        if isinstance(self.augmentation_model, HyperModel):
            x = self.augmentation_model.build(hp)(x)
        elif self.augmentation_model is not None:
            x = self.augmentation_model(x)
        version = hp.Choice("version", list(IMAGE_SIZES), default="B0")
        size = IMAGE_SIZES[version]
        x = keras.layers.Resizing(size, size, interpolation="bilinear")(x)
        backbone = getattr(keras.applications, f"EfficientNet{version}")(
            include_top=False, weights=None, input_tensor=x
        )
        x = _common.global_pooling(
            backbone.output, hp.Choice("pooling", ["avg", "max"], default="avg")
        )
        x = keras.layers.Dropout(
            hp.Float("top_dropout_rate", 0.2, 0.8, step=0.2, default=0.2), name="top_dropout"
        )(x)
        outputs = keras.layers.Dense(self.classes, activation="softmax", name="probs")(x)
        model = keras.Model(inputs, outputs, name="EfficientNet")
        self._compile(model, hp)
        return model

    def _compile(self, model, hp):
        """Compiles `model`; override to change the optimizer or loss."""
        learning_rate = hp.Choice("learning_rate", [0.1, 0.01, 0.001], default=0.01)
        model.compile(
            optimizer=keras.optimizers.SGD(learning_rate=learning_rate, momentum=0.1),
            loss="categorical_crossentropy",
            metrics=["accuracy"],
        )
