"""What the application hypermodels share: inputs and argument checks."""

import keras

from kerasverse.tuner.engine.hypermodel import HyperModel


def check_inputs(name, input_shape, input_tensor):
    if input_shape is None and input_tensor is None:
        raise ValueError(
            f"`{name}` needs the image shape: pass `input_shape` (for example "
            "(32, 32, 3)) or `input_tensor`. Received: input_shape=None, input_tensor=None."
        )


def check_classes(name, include_top, classes):
    if include_top and (not isinstance(classes, int) or classes < 1):
        raise ValueError(
            f"`{name}` with `include_top=True` needs the number of classes as an int "
            f">= 1 (`classes=10`). Received: classes={classes!r}"
        )


class ImageHyperModel(HyperModel):
    """An image-classifier hypermodel: checks and keeps the input and class arguments."""

    def __init__(self, include_top=True, input_shape=None, input_tensor=None, classes=None,
                 **kwargs):
        super().__init__(**kwargs)
        check_inputs(type(self).__name__, input_shape, input_tensor)
        check_classes(type(self).__name__, include_top, classes)
        self.include_top = include_top
        self.input_shape = input_shape
        self.input_tensor = input_tensor
        self.classes = classes


def make_inputs(input_shape, input_tensor):
    """Returns `(inputs, x)`: the model inputs and the tensor to build on."""
    if input_tensor is not None:
        return keras.utils.get_source_inputs(input_tensor), input_tensor
    inputs = keras.Input(shape=input_shape)
    return inputs, inputs


def global_pooling(x, pooling):
    if pooling == "avg":
        return keras.layers.GlobalAveragePooling2D()(x)
    if pooling == "max":
        return keras.layers.GlobalMaxPooling2D()(x)
    return keras.layers.Flatten()(x)
