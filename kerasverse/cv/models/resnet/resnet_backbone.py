"""`ResNetBackbone`: ResNet v1 and v2 (pre-activation) trunks."""

import keras

from kerasverse.cv.models.named_presets import NamedPresetsMixin
from kerasverse.cv.models.resnet import resnet_presets
from kerasverse.models import Backbone

_BLOCK_TYPES = ("basic_block", "bottleneck_block")


@keras.saving.register_keras_serializable(package="kerasverse")
class ResNetBackbone(NamedPresetsMixin, Backbone):
    """ResNet (He et al., 2015) and ResNetV2 (pre-activation, He et al., 2016).

    The stem is `input_conv_filters[i]` convolutions of
    `input_conv_kernel_sizes[i]` (the first with stride 2) and a 3x3 max pool,
    then one stack of residual blocks per entry of `stackwise_num_filters`.
    `pyramid_outputs` maps `"P2"`..`"P5"` (stride 4..32) to the stack
    outputs, for detection and segmentation heads.

    Args:
        stackwise_num_filters: filters of each stack (bottleneck blocks output
            4x this).
        stackwise_num_blocks: residual blocks per stack.
        stackwise_num_strides: stride of the first block of each stack.
        block_type: `"basic_block"` (ResNet18/34) or `"bottleneck_block"`
            (ResNet50+).
        use_pre_activation: False for ResNet v1, True for ResNet v2
            (batch norm and ReLU before each convolution).
        input_conv_filters: filters of the stem convolutions.
        input_conv_kernel_sizes: kernel sizes of the stem convolutions.
        image_shape: input shape, `(height, width, channels)`; `None` sizes
            accept any image size.

    Example:

    ```python
    import numpy as np
    from kerasverse.cv.models import ResNetBackbone

    backbone = ResNetBackbone(
        stackwise_num_filters=[8, 16],
        stackwise_num_blocks=[1, 1],
        stackwise_num_strides=[1, 2],
        block_type="basic_block",
        input_conv_filters=[8],
        input_conv_kernel_sizes=[3],
    )
    features = backbone(np.zeros((1, 32, 32, 3), "float32"))  # (1, 4, 4, 16)
    ```
    """

    builtin_presets = resnet_presets.BACKBONE_PRESETS

    def __init__(
        self,
        stackwise_num_filters,
        stackwise_num_blocks,
        stackwise_num_strides,
        block_type="basic_block",
        use_pre_activation=False,
        input_conv_filters=(64,),
        input_conv_kernel_sizes=(7,),
        image_shape=(None, None, 3),
        **kwargs,
    ):
        if block_type not in _BLOCK_TYPES:
            raise ValueError(
                f"`block_type` must be one of {_BLOCK_TYPES}. Received: block_type={block_type!r}"
            )
        lengths = {len(stackwise_num_filters), len(stackwise_num_blocks), len(stackwise_num_strides)}
        if len(lengths) != 1:
            raise ValueError(
                "`stackwise_num_filters`, `stackwise_num_blocks` and `stackwise_num_strides` "
                "must have one entry per stack (the same length). Received: "
                f"stackwise_num_filters={list(stackwise_num_filters)}, "
                f"stackwise_num_blocks={list(stackwise_num_blocks)}, "
                f"stackwise_num_strides={list(stackwise_num_strides)}"
            )
        if len(input_conv_filters) != len(input_conv_kernel_sizes):
            raise ValueError(
                "`input_conv_filters` and `input_conv_kernel_sizes` must have the same length. "
                f"Received: input_conv_filters={list(input_conv_filters)}, "
                f"input_conv_kernel_sizes={list(input_conv_kernel_sizes)}"
            )
        inputs = keras.Input(shape=tuple(image_shape), name="images")
        x = inputs
        for index, (filters, kernel_size) in enumerate(zip(input_conv_filters, input_conv_kernel_sizes)):
            x = keras.layers.Conv2D(
                filters, kernel_size, strides=2 if index == 0 else 1, padding="same",
                use_bias=False, name=f"conv1_conv{index}",
            )(x)
            if not use_pre_activation:
                x = keras.layers.BatchNormalization(epsilon=1e-5, name=f"conv1_bn{index}")(x)
                x = keras.layers.Activation("relu", name=f"conv1_relu{index}")(x)
        x = keras.layers.MaxPooling2D(3, strides=2, padding="same", name="pool1_pool")(x)

        pyramid_outputs = {}
        for stack, (filters, num_blocks, stride) in enumerate(
            zip(stackwise_num_filters, stackwise_num_blocks, stackwise_num_strides)
        ):
            for block in range(num_blocks):
                x = _residual_block(
                    x, filters, stride if block == 0 else 1, block_type, use_pre_activation,
                    first_in_stack=block == 0, name=f"stack{stack}_block{block}",
                )
            pyramid_outputs[f"P{stack + 2}"] = x
        if use_pre_activation:
            x = keras.layers.BatchNormalization(epsilon=1e-5, name="post_bn")(x)
            x = keras.layers.Activation("relu", name="post_relu")(x)
        super().__init__(inputs=inputs, outputs=x, **kwargs)
        self.stackwise_num_filters = list(stackwise_num_filters)
        self.stackwise_num_blocks = list(stackwise_num_blocks)
        self.stackwise_num_strides = list(stackwise_num_strides)
        self.block_type = block_type
        self.use_pre_activation = use_pre_activation
        self.input_conv_filters = list(input_conv_filters)
        self.input_conv_kernel_sizes = list(input_conv_kernel_sizes)
        self.image_shape = tuple(image_shape)
        self.pyramid_outputs = pyramid_outputs

    def get_config(self):
        return {
            **super().get_config(),
            "stackwise_num_filters": self.stackwise_num_filters,
            "stackwise_num_blocks": self.stackwise_num_blocks,
            "stackwise_num_strides": self.stackwise_num_strides,
            "block_type": self.block_type,
            "use_pre_activation": self.use_pre_activation,
            "input_conv_filters": self.input_conv_filters,
            "input_conv_kernel_sizes": self.input_conv_kernel_sizes,
            "image_shape": self.image_shape,
        }


def _residual_block(x, filters, stride, block_type, pre_activation, first_in_stack, name):
    expansion = 4 if block_type == "bottleneck_block" else 1
    out_filters = filters * expansion
    in_filters = x.shape[-1]
    if pre_activation:
        preact = keras.layers.BatchNormalization(epsilon=1e-5, name=f"{name}_preact_bn")(x)
        preact = keras.layers.Activation("relu", name=f"{name}_preact_relu")(preact)
    else:
        preact = x
    if stride != 1 or in_filters != out_filters:
        shortcut = keras.layers.Conv2D(
            out_filters, 1, strides=stride, use_bias=False, name=f"{name}_shortcut_conv"
        )(preact)
        if not pre_activation:
            shortcut = keras.layers.BatchNormalization(epsilon=1e-5, name=f"{name}_shortcut_bn")(shortcut)
    else:
        shortcut = x

    def conv(y, num_filters, kernel_size, strides, index, last=False):
        y = keras.layers.Conv2D(
            num_filters, kernel_size, strides=strides, padding="same", use_bias=False,
            name=f"{name}_conv{index}",
        )(y)
        if pre_activation and last:
            return y
        y = keras.layers.BatchNormalization(epsilon=1e-5, name=f"{name}_bn{index}")(y)
        if last:
            return y
        return keras.layers.Activation("relu", name=f"{name}_relu{index}")(y)

    if block_type == "basic_block":
        y = conv(preact, filters, 3, stride, 1)
        y = conv(y, filters, 3, 1, 2, last=True)
    else:
        y = conv(preact, filters, 1, 1, 1)
        y = conv(y, filters, 3, stride, 2)
        y = conv(y, out_filters, 1, 1, 3, last=True)
    y = keras.layers.Add(name=f"{name}_add")([shortcut, y])
    if not pre_activation:
        y = keras.layers.Activation("relu", name=f"{name}_out")(y)
    return y
