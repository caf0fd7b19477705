"""Constructor arguments of the standard MobileNetV3 configurations (no weights)."""

_HS = "hard_swish"

BACKBONE_PRESETS = {
    "mobilenet_v3_tiny": {
        "stackwise_expansion": [1, 4, 4, 4],
        "stackwise_filters": [8, 16, 24, 32],
        "stackwise_kernel_size": [3, 3, 5, 5],
        "stackwise_stride": [2, 2, 2, 2],
        "stackwise_se_ratio": [0.25, None, 0.25, 0.25],
        "stackwise_activation": ["relu", "relu", _HS, _HS],
    },
    "mobilenet_v3_small": {
        "stackwise_expansion": [1, 72.0 / 16, 88.0 / 24, 4, 6, 6, 3, 3, 6, 6, 6],
        "stackwise_filters": [16, 24, 24, 40, 40, 40, 48, 48, 96, 96, 96],
        "stackwise_kernel_size": [3, 3, 3, 5, 5, 5, 5, 5, 5, 5, 5],
        "stackwise_stride": [2, 2, 1, 2, 1, 1, 1, 1, 2, 1, 1],
        "stackwise_se_ratio": [0.25, None, None, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25],
        "stackwise_activation": ["relu", "relu", "relu"] + [_HS] * 8,
    },
    "mobilenet_v3_large": {
        "stackwise_expansion": [1, 4, 3, 3, 3, 3, 6, 2.5, 2.3, 2.3, 6, 6, 6, 6, 6],
        "stackwise_filters": [16, 24, 24, 40, 40, 40, 80, 80, 80, 80, 112, 112, 160, 160, 160],
        "stackwise_kernel_size": [3, 3, 3, 5, 5, 5, 3, 3, 3, 3, 3, 3, 5, 5, 5],
        "stackwise_stride": [1, 2, 1, 2, 1, 1, 2, 1, 1, 1, 1, 1, 2, 1, 1],
        "stackwise_se_ratio": [None, None, None, 0.25, 0.25, 0.25, None, None, None, None, 0.25, 0.25, 0.25, 0.25, 0.25],
        "stackwise_activation": ["relu"] * 6 + [_HS] * 9,
    },
}
