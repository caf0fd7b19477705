"""`ResNetBlock`: a small residual network trained from scratch (no downloaded weights)."""

import keras

from kerasverse.automl.block import Block
from kerasverse.automl.block import one_input
from kerasverse.automl.block import tunable
from kerasverse.automl.blocks._pretrained import check_not_pretrained

# Residual blocks per stage; stage i has 16 * 2**i filters (times the width).
VERSIONS = {"resnet8": (1, 1, 1), "resnet14": (2, 2, 2), "resnet20": (3, 3, 3)}
# AutoKeras' version names: a family, whose depth is searched.
FAMILIES = {"v1": list(VERSIONS), "v2": [f"{v}_v2" for v in VERSIONS]}


def _residual(x, filters, stride, v2):
    shortcut = x
    if stride != 1 or x.shape[-1] != filters:
        shortcut = keras.layers.Conv2D(filters, 1, strides=stride, padding="same")(x)
    if v2:
        y = keras.layers.ReLU()(keras.layers.BatchNormalization()(x))
        y = keras.layers.Conv2D(filters, 3, strides=stride, padding="same")(y)
        y = keras.layers.ReLU()(keras.layers.BatchNormalization()(y))
        y = keras.layers.Conv2D(filters, 3, padding="same")(y)
        return keras.layers.Add()([shortcut, y])
    y = keras.layers.Conv2D(filters, 3, strides=stride, padding="same")(x)
    y = keras.layers.ReLU()(keras.layers.BatchNormalization()(y))
    y = keras.layers.BatchNormalization()(keras.layers.Conv2D(filters, 3, padding="same")(y))
    return keras.layers.ReLU()(keras.layers.Add()([shortcut, y]))


class ResNetBlock(Block):
    """A residual network (He et al.) sized for small images, trained from
    scratch: AutoKeras' ResNet50-152 need 32x32+ inputs and, pretrained,
    downloaded weights.

    Args:
        version: "resnet8", "resnet14" or "resnet20" (default searched);
            suffix "_v2" for pre-activation blocks. AutoKeras' `"v1"` and
            `"v2"` search the depths of that family (its guides write
            `ak.ResNetBlock(version="v2")`).
        pretrained: Must be False/None (no weights are downloaded).
        name: The block's name.

    Example:

    ```python
    output_node = ak.ResNetBlock(version="resnet8")(ak.ImageInput())
    ```
    """

    def __init__(self, version=None, pretrained=None, **kwargs):
        super().__init__(**kwargs)
        check_not_pretrained(self, pretrained)
        names = [*FAMILIES["v1"], *FAMILIES["v2"], *FAMILIES]
        if version is not None and not hasattr(version, "get_config") and version not in names:
            raise ValueError(f"`version` must be one of {names}. Received: version={version!r}.")
        self.version = version
        self.pretrained = pretrained

    def build(self, hp, inputs=None):
        x = one_input(self, inputs)
        if len(x.shape) != 4:
            raise ValueError(f"ResNetBlock takes images (4-D). Received: an input of shape {tuple(x.shape)}.")
        if self.version in FAMILIES:
            family = FAMILIES[self.version]
            version = hp.Choice("version", family, default=family[0])
        else:
            version = tunable(
                hp, "version", self.version,
                lambda: hp.Choice("version", ["resnet8", "resnet14", "resnet8_v2", "resnet20"], default="resnet8"),
            )
        v2 = version.endswith("_v2")
        x = keras.layers.Conv2D(16, 3, padding="same")(x)
        x = keras.layers.ReLU()(keras.layers.BatchNormalization()(x))
        for stage, count in enumerate(VERSIONS[version.removesuffix("_v2")]):
            for i in range(count):
                stride = 2 if stage > 0 and i == 0 and min(x.shape[1:3]) >= 2 else 1
                x = _residual(x, 16 * 2**stage, stride, v2)
        if v2:
            x = keras.layers.ReLU()(keras.layers.BatchNormalization()(x))
        return x

    def get_config(self):
        return {**super().get_config(), "version": self.version, "pretrained": self.pretrained}
