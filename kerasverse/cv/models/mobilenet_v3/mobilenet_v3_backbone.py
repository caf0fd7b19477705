"""`MobileNetV3Backbone`: MobileNetV3 small and large trunks."""

import keras

from kerasverse.cv.models.mobilenet_v3 import mobilenet_v3_presets
from kerasverse.cv.models.named_presets import NamedPresetsMixin
from kerasverse.models import Backbone


def _make_divisible(value, divisor=8):
    rounded = max(divisor, int(value + divisor / 2) // divisor * divisor)
    if rounded < 0.9 * value:
        rounded += divisor
    return int(rounded)


@keras.saving.register_keras_serializable(package="kerasverse")
class MobileNetV3Backbone(NamedPresetsMixin, Backbone):
    """MobileNetV3 (Howard et al., 2019): inverted residual blocks with squeeze-excite.

    The stem is a 3x3 stride-2 convolution (16 filters) with hard swish,
    then one inverted residual block per entry of the `stackwise_*` lists,
    then a 1x1 convolution to 6x the last block's filters. `pyramid_outputs`
    maps `"P1"`..`"P5"` to the last feature map at stride 2..32.

    Args:
        stackwise_expansion: expansion ratio of each block.
        stackwise_filters: output filters of each block (times `alpha`).
        stackwise_kernel_size: depthwise kernel size of each block.
        stackwise_stride: depthwise stride of each block.
        stackwise_se_ratio: squeeze-excite ratio of each block (`None`: no SE).
        stackwise_activation: `"relu"` or `"hard_swish"` for each block.
        alpha: width multiplier.
        image_shape: input shape, `(height, width, channels)`.

    Example:

    ```python
    from kerasverse.cv.models import MobileNetV3Backbone

    backbone = MobileNetV3Backbone.from_preset("mobilenet_v3_small")  # random weights
    ```
    """

    builtin_presets = mobilenet_v3_presets.BACKBONE_PRESETS

    def __init__(
        self,
        stackwise_expansion,
        stackwise_filters,
        stackwise_kernel_size,
        stackwise_stride,
        stackwise_se_ratio,
        stackwise_activation,
        alpha=1.0,
        image_shape=(None, None, 3),
        **kwargs,
    ):
        lists = {
            "stackwise_expansion": stackwise_expansion,
            "stackwise_filters": stackwise_filters,
            "stackwise_kernel_size": stackwise_kernel_size,
            "stackwise_stride": stackwise_stride,
            "stackwise_se_ratio": stackwise_se_ratio,
            "stackwise_activation": stackwise_activation,
        }
        if len({len(v) for v in lists.values()}) != 1:
            lengths = {k: len(v) for k, v in lists.items()}
            raise ValueError(
                f"All `stackwise_*` arguments need one entry per block (the same length). Received lengths: {lengths}"
            )
        for activation in stackwise_activation:
            if activation not in ("relu", "hard_swish"):
                raise ValueError(
                    "`stackwise_activation` entries must be 'relu' or 'hard_swish'. "
                    f"Received: {activation!r}"
                )
        inputs = keras.Input(shape=tuple(image_shape), name="images")
        x = keras.layers.Conv2D(16, 3, strides=2, padding="same", use_bias=False, name="stem_conv")(inputs)
        x = _bn(x, "stem_bn")
        x = keras.layers.Activation("hard_swish", name="stem_act")(x)
        stride = 2
        pyramid_outputs = {"P1": x}
        for index in range(len(stackwise_filters)):
            x = _inverted_residual(
                x,
                expansion=stackwise_expansion[index],
                filters=_make_divisible(stackwise_filters[index] * alpha),
                kernel_size=stackwise_kernel_size[index],
                stride=stackwise_stride[index],
                se_ratio=stackwise_se_ratio[index],
                activation=stackwise_activation[index],
                name=f"block{index}",
            )
            stride *= stackwise_stride[index]
            pyramid_outputs[f"P{stride.bit_length() - 1}"] = x
        last_filters = _make_divisible(x.shape[-1] * 6)
        x = keras.layers.Conv2D(last_filters, 1, use_bias=False, name="last_conv")(x)
        x = _bn(x, "last_bn")
        x = keras.layers.Activation("hard_swish", name="last_act")(x)
        pyramid_outputs[f"P{stride.bit_length() - 1}"] = x
        super().__init__(inputs=inputs, outputs=x, **kwargs)
        self.stackwise_expansion = list(stackwise_expansion)
        self.stackwise_filters = list(stackwise_filters)
        self.stackwise_kernel_size = list(stackwise_kernel_size)
        self.stackwise_stride = list(stackwise_stride)
        self.stackwise_se_ratio = list(stackwise_se_ratio)
        self.stackwise_activation = list(stackwise_activation)
        self.alpha = alpha
        self.image_shape = tuple(image_shape)
        self.pyramid_outputs = pyramid_outputs

    def get_config(self):
        return {
            **super().get_config(),
            "stackwise_expansion": self.stackwise_expansion,
            "stackwise_filters": self.stackwise_filters,
            "stackwise_kernel_size": self.stackwise_kernel_size,
            "stackwise_stride": self.stackwise_stride,
            "stackwise_se_ratio": self.stackwise_se_ratio,
            "stackwise_activation": self.stackwise_activation,
            "alpha": self.alpha,
            "image_shape": self.image_shape,
        }


def _bn(x, name):
    return keras.layers.BatchNormalization(epsilon=1e-3, momentum=0.999, name=name)(x)


def _inverted_residual(x, expansion, filters, kernel_size, stride, se_ratio, activation, name):
    in_filters = x.shape[-1]
    hidden = _make_divisible(in_filters * expansion)
    y = x
    if hidden != in_filters:
        y = keras.layers.Conv2D(hidden, 1, use_bias=False, name=f"{name}_expand")(y)
        y = _bn(y, f"{name}_expand_bn")
        y = keras.layers.Activation(activation, name=f"{name}_expand_act")(y)
    y = keras.layers.DepthwiseConv2D(
        kernel_size, strides=stride, padding="same", use_bias=False, name=f"{name}_depthwise"
    )(y)
    y = _bn(y, f"{name}_depthwise_bn")
    y = keras.layers.Activation(activation, name=f"{name}_depthwise_act")(y)
    if se_ratio:
        squeeze = keras.layers.GlobalAveragePooling2D(keepdims=True, name=f"{name}_se_pool")(y)
        squeeze = keras.layers.Conv2D(_make_divisible(hidden * se_ratio), 1, activation="relu", name=f"{name}_se_reduce")(squeeze)
        squeeze = keras.layers.Conv2D(hidden, 1, activation="hard_sigmoid", name=f"{name}_se_expand")(squeeze)
        y = keras.layers.Multiply(name=f"{name}_se_multiply")([y, squeeze])
    y = keras.layers.Conv2D(filters, 1, use_bias=False, name=f"{name}_project")(y)
    y = _bn(y, f"{name}_project_bn")
    if stride == 1 and in_filters == filters:
        y = keras.layers.Add(name=f"{name}_add")([x, y])
    return y
