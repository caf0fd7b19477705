"""`EfficientNetBlock`: Keras' EfficientNet B0-B7 with `weights=None` (trained from scratch)."""

import keras

from kerasverse.automl.block import Block
from kerasverse.automl.block import one_input
from kerasverse.automl.block import tunable
from kerasverse.automl.blocks._pretrained import check_not_pretrained

VERSIONS = ("b0", "b1", "b2", "b3", "b4", "b5", "b6", "b7")


class EfficientNetBlock(Block):
    """`keras.applications.EfficientNetB*` without its top and without
    downloaded weights; images smaller than 32x32 are resized up to 32 and
    1-channel images repeated to 3 channels.

    Args:
        version: "b0" ... "b7" (default: searched in b0, b1).
        pretrained: Must be False/None.
        name: The block's name.

    Example:

    ```python
    output_node = ak.EfficientNetBlock(version="b0")(ak.ImageInput())
    ```
    """

    def __init__(self, version=None, pretrained=None, **kwargs):
        super().__init__(**kwargs)
        check_not_pretrained(self, pretrained)
        if version is not None and not hasattr(version, "get_config") and version not in VERSIONS:
            raise ValueError(f"`version` must be one of {list(VERSIONS)}. Received: version={version!r}.")
        self.version = version
        self.pretrained = pretrained

    def build(self, hp, inputs=None):
        x = one_input(self, inputs)
        if len(x.shape) != 4:
            raise ValueError(f"EfficientNetBlock takes images (4-D). Received: an input of shape {tuple(x.shape)}.")
        version = tunable(hp, "version", self.version, lambda: hp.Choice("version", ["b0", "b1"], default="b0"))
        height, width = x.shape[1], x.shape[2]
        if min(height, width) < 32:
            scale = 32 / min(height, width)
            x = keras.layers.Resizing(int(round(height * scale)), int(round(width * scale)))(x)
        if x.shape[-1] == 1:
            x = keras.layers.Concatenate()([x, x, x])
        application = getattr(keras.applications, f"EfficientNet{version.upper()}")
        model = application(include_top=False, weights=None, input_shape=tuple(x.shape[1:]))
        return model(x)

    def get_config(self):
        return {**super().get_config(), "version": self.version, "pretrained": self.pretrained}
