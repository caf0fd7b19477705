"""keras_cv layer names for the augmentation layers core Keras 3 already has.

Each alias is a thin subclass of the core Keras layer (same arguments, same
behaviour, serializable under `kerasverse>`) that also accepts keras_cv's
bounding box key `"classes"` (core Keras calls it `"labels"`), so
`{"images", "bounding_boxes": {"boxes", "classes"}}` works with every layer
of `kerasverse.cv.layers`.

| kerasverse.cv.layers (keras_cv name) | core Keras layer |
|---|---|
| `RandomFlip`, `RandomRotation`, `RandomTranslation`, `RandomZoom`, `RandomShear`, `RandomCrop`, `Resizing`, `Rescaling` | same name |
| `RandomBrightness`, `RandomContrast`, `RandomHue`, `RandomSaturation`, `RandomColorJitter`, `RandomColorDegeneration`, `RandomSharpness`, `RandomGaussianBlur` | same name |
| `Solarization`, `Equalization`, `AutoContrast`, `MixUp`, `CutMix`, `AugMix` | same name |
| `Posterization` | `RandomPosterization` |
| `Grayscale` | `RandomGrayscale(factor=1.0)` |
"""

import keras


def _rename(bounding_boxes, source, target):
    if isinstance(bounding_boxes, dict) and source in bounding_boxes:
        bounding_boxes = dict(bounding_boxes)
        bounding_boxes[target] = bounding_boxes.pop(source)
    return bounding_boxes


class _ClassesKey:
    """Mixin: translate keras_cv's `"classes"` box key to core Keras' `"labels"` and back."""

    def call(self, data, *args, **kwargs):
        renamed = False
        if isinstance(data, dict) and isinstance(data.get("bounding_boxes"), dict):
            if "classes" in data["bounding_boxes"]:
                data = {**data, "bounding_boxes": _rename(data["bounding_boxes"], "classes", "labels")}
                renamed = True
        output = super().call(data, *args, **kwargs)
        if renamed and isinstance(output, dict) and "bounding_boxes" in output:
            output = {**output, "bounding_boxes": _rename(output["bounding_boxes"], "labels", "classes")}
        return output


def _alias(name, base):
    cls = type(name, (_ClassesKey, base), {
        "__doc__": f"keras_cv's `{name}`: `keras.layers.{base.__name__}` accepting `\"classes\"` box keys.\n\n"
                   f"See `keras.layers.{base.__name__}` for the arguments.",
        "__module__": __name__,
    })
    return keras.saving.register_keras_serializable(package="kerasverse")(cls)


_SAME_NAME = (
    "RandomFlip", "RandomRotation", "RandomTranslation", "RandomZoom", "RandomShear", "RandomCrop",
    "Resizing", "Rescaling", "RandomBrightness", "RandomContrast", "RandomHue", "RandomSaturation",
    "RandomColorJitter", "RandomColorDegeneration", "RandomSharpness", "RandomGaussianBlur",
    "Solarization", "Equalization", "AutoContrast", "MixUp", "CutMix", "AugMix",
)

ALIASES = {name: _alias(name, getattr(keras.layers, name)) for name in _SAME_NAME}
ALIASES["Posterization"] = _alias("Posterization", keras.layers.RandomPosterization)


@keras.saving.register_keras_serializable(package="kerasverse")
class Grayscale(_ClassesKey, keras.layers.RandomGrayscale):
    """keras_cv's `Grayscale`: `keras.layers.RandomGrayscale` with `factor=1.0` (always).

    Args:
        output_channels: kept for keras_cv compatibility; Keras keeps the
            channel count of the input.
    """

    def __init__(self, output_channels=None, **kwargs):
        kwargs.setdefault("factor", 1.0)
        super().__init__(**kwargs)
        self.output_channels = output_channels

    def get_config(self):
        return {**super().get_config(), "output_channels": self.output_channels}


ALIASES["Grayscale"] = Grayscale
globals().update(ALIASES)
