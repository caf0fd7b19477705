"""`CSPDarkNetBackbone`: the CSPDarkNet trunk of YOLOv8 (C2f blocks and SPPF)."""

import keras

from kerasverse.cv.models.csp_darknet import csp_darknet_presets
from kerasverse.cv.models.named_presets import NamedPresetsMixin
from kerasverse.models import Backbone


@keras.saving.register_keras_serializable(package="kerasverse")
class CSPDarkNetBackbone(NamedPresetsMixin, Backbone):
    """The YOLOv8 CSPDarkNet backbone.

    A 3x3 stride-2 stem convolution with `stackwise_channels[0] // 2` filters,
    then one stage per entry of `stackwise_channels`: a 3x3 stride-2
    convolution and a C2f block (cross-stage partial block with
    `stackwise_depth` bottlenecks). The last stage ends with SPPF (spatial
    pyramid pooling, fast). `pyramid_outputs` maps `"P2"`..`"P5"` (stride
    4..32) to the stage outputs; `YOLOV8Detector` uses P3..P5.

    Args:
        stackwise_channels: output channels of each stage.
        stackwise_depth: bottlenecks in the C2f block of each stage.
        activation: activation of every convolution.
        image_shape: input shape, `(height, width, channels)`.

    Example:

    ```python
    from kerasverse.cv.models import CSPDarkNetBackbone

    backbone = CSPDarkNetBackbone(stackwise_channels=[8, 16, 24, 32], stackwise_depth=[1, 1, 1, 1])
    small = CSPDarkNetBackbone.from_preset("yolo_v8_s_backbone")  # random weights
    ```
    """

    builtin_presets = csp_darknet_presets.BACKBONE_PRESETS

    def __init__(
        self,
        stackwise_channels,
        stackwise_depth,
        activation="swish",
        image_shape=(None, None, 3),
        **kwargs,
    ):
        if len(stackwise_channels) != len(stackwise_depth):
            raise ValueError(
                "`stackwise_channels` and `stackwise_depth` need one entry per stage (the same "
                f"length). Received: stackwise_channels={list(stackwise_channels)}, "
                f"stackwise_depth={list(stackwise_depth)}"
            )
        inputs = keras.Input(shape=tuple(image_shape), name="images")
        x = conv_bn(inputs, stackwise_channels[0] // 2, 3, 2, activation, "stem")
        pyramid_outputs = {}
        last = len(stackwise_channels) - 1
        for stage, (channels, depth) in enumerate(zip(stackwise_channels, stackwise_depth)):
            x = conv_bn(x, channels, 3, 2, activation, f"stage{stage}_downsample")
            x = c2f_block(x, channels, depth, True, activation, f"stage{stage}_c2f")
            if stage == last:
                x = _sppf(x, channels, activation, f"stage{stage}_sppf")
            pyramid_outputs[f"P{stage + 2}"] = x
        super().__init__(inputs=inputs, outputs=x, **kwargs)
        self.stackwise_channels = list(stackwise_channels)
        self.stackwise_depth = list(stackwise_depth)
        self.activation = activation
        self.image_shape = tuple(image_shape)
        self.pyramid_outputs = pyramid_outputs

    def get_config(self):
        return {
            **super().get_config(),
            "stackwise_channels": self.stackwise_channels,
            "stackwise_depth": self.stackwise_depth,
            "activation": self.activation,
            "image_shape": self.image_shape,
        }


def conv_bn(x, filters, kernel_size, strides, activation, name):
    """Convolution, batch norm and activation (the YOLOv8 `Conv` unit).

    A 1x1 stride-1 convolution is a `Dense` layer on the channel axis: the
    same function, but a plain matrix product on every backend (the PyTorch
    backend runs 1x1 `Conv2D` through layout copies and a slow kernel).
    """
    if kernel_size == 1 and strides == 1:
        x = keras.layers.Dense(filters, use_bias=False, name=f"{name}_conv")(x)
    else:
        x = keras.layers.Conv2D(
            filters, kernel_size, strides=strides, padding="same", use_bias=False, name=f"{name}_conv"
        )(x)
    x = keras.layers.BatchNormalization(momentum=0.97, epsilon=1e-3, name=f"{name}_bn")(x)
    return keras.layers.Activation(activation, name=f"{name}_act")(x)


def c2f_block(x, channels, depth, shortcut, activation, name):
    """The C2f block: split, a chain of bottlenecks, concatenate every stage."""
    hidden = channels // 2
    x = conv_bn(x, 2 * hidden, 1, 1, activation, f"{name}_pre")
    parts = [x[..., :hidden], x[..., hidden:]]
    y = parts[-1]
    for index in range(depth):
        z = conv_bn(y, hidden, 3, 1, activation, f"{name}_bottleneck{index}_1")
        z = conv_bn(z, hidden, 3, 1, activation, f"{name}_bottleneck{index}_2")
        y = keras.layers.Add(name=f"{name}_bottleneck{index}_add")([y, z]) if shortcut else z
        parts.append(y)
    x = keras.layers.Concatenate(axis=-1, name=f"{name}_concat")(parts)
    return conv_bn(x, channels, 1, 1, activation, f"{name}_out")


def _sppf(x, channels, activation, name, pool_size=5):
    hidden = x.shape[-1] // 2
    x = conv_bn(x, hidden, 1, 1, activation, f"{name}_pre")
    pools = [x]
    for index in range(3):
        pools.append(
            keras.layers.MaxPooling2D(pool_size, strides=1, padding="same", name=f"{name}_pool{index}")(pools[-1])
        )
    x = keras.layers.Concatenate(axis=-1, name=f"{name}_concat")(pools)
    return conv_bn(x, channels, 1, 1, activation, f"{name}_out")
