"""`ImageAugmentation`: random flips, translation, rotation, zoom and contrast (training only)."""

import keras

from kerasverse.automl.block import Block
from kerasverse.automl.block import one_input
from kerasverse.automl.block import tunable


class ImageAugmentation(Block):
    """Keras' random image layers; each factor 0 (or False) leaves it out.

    Args:
        translation_factor, rotation_factor, zoom_factor, contrast_factor:
            Floats (default: searched in 0.0, 0.1).
        vertical_flip, horizontal_flip: Booleans (default searched).
        name: The block's name.

    Example:

    ```python
    output_node = ak.ImageAugmentation(horizontal_flip=True, vertical_flip=False)(ak.ImageInput())
    ```
    """

    def __init__(self, translation_factor=None, vertical_flip=None, horizontal_flip=None,
                 rotation_factor=None, zoom_factor=None, contrast_factor=None, **kwargs):
        super().__init__(**kwargs)
        self.translation_factor = translation_factor
        self.vertical_flip = vertical_flip
        self.horizontal_flip = horizontal_flip
        self.rotation_factor = rotation_factor
        self.zoom_factor = zoom_factor
        self.contrast_factor = contrast_factor

    def build(self, hp, inputs=None):
        x = one_input(self, inputs)

        def factor(name):
            return tunable(hp, name, getattr(self, name), lambda: hp.Choice(name, [0.0, 0.1], default=0.0))

        def flag(name):
            return tunable(hp, name, getattr(self, name), lambda: hp.Boolean(name, default=False))

        translation = factor("translation_factor")
        if translation:
            x = keras.layers.RandomTranslation(translation, translation)(x)
        horizontal, vertical = flag("horizontal_flip"), flag("vertical_flip")
        if horizontal or vertical:
            mode = "horizontal_and_vertical" if horizontal and vertical else ("horizontal" if horizontal else "vertical")
            x = keras.layers.RandomFlip(mode)(x)
        rotation = factor("rotation_factor")
        if rotation:
            x = keras.layers.RandomRotation(rotation)(x)
        zoom = factor("zoom_factor")
        if zoom:
            x = keras.layers.RandomZoom(zoom, zoom)(x)
        contrast = factor("contrast_factor")
        if contrast:
            x = keras.layers.RandomContrast(contrast, value_range=(float("-inf"), float("inf")))(x)
        return x

    def get_config(self):
        return {**super().get_config(), **{name: getattr(self, name) for name in (
            "translation_factor", "vertical_flip", "horizontal_flip", "rotation_factor",
            "zoom_factor", "contrast_factor")}}
