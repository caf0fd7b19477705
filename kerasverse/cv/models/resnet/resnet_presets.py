"""Constructor arguments of the standard ResNet configurations (no weights).

`ResNetBackbone(**resnet_presets.BACKBONE_PRESETS["resnet50"])` builds
ResNet50; the `_v2` entries are the pre-activation variants. `resnet_tiny` is
a small configuration for tests and CPU experiments.
"""

_V1_STEM = {"input_conv_filters": [64], "input_conv_kernel_sizes": [7]}


def _config(blocks, block_type, pre_activation):
    return {
        "stackwise_num_filters": [64, 128, 256, 512],
        "stackwise_num_blocks": blocks,
        "stackwise_num_strides": [1, 2, 2, 2],
        "block_type": block_type,
        "use_pre_activation": pre_activation,
        **_V1_STEM,
    }


BACKBONE_PRESETS = {
    "resnet_tiny": {
        "stackwise_num_filters": [8, 16, 24, 32],
        "stackwise_num_blocks": [1, 1, 1, 1],
        "stackwise_num_strides": [1, 2, 2, 2],
        "block_type": "basic_block",
        "use_pre_activation": False,
        "input_conv_filters": [8],
        "input_conv_kernel_sizes": [3],
    },
    "resnet18": _config([2, 2, 2, 2], "basic_block", False),
    "resnet34": _config([3, 4, 6, 3], "basic_block", False),
    "resnet50": _config([3, 4, 6, 3], "bottleneck_block", False),
    "resnet101": _config([3, 4, 23, 3], "bottleneck_block", False),
    "resnet152": _config([3, 8, 36, 3], "bottleneck_block", False),
    "resnet18_v2": _config([2, 2, 2, 2], "basic_block", True),
    "resnet50_v2": _config([3, 4, 6, 3], "bottleneck_block", True),
    "resnet101_v2": _config([3, 4, 23, 3], "bottleneck_block", True),
}
