"""Tiny configurations shared by the cv model tests."""

import numpy as np

TINY_RESNET = {
    "stackwise_num_filters": [4, 8, 8, 8],
    "stackwise_num_blocks": [1, 1, 1, 1],
    "stackwise_num_strides": [1, 2, 2, 2],
    "block_type": "basic_block",
    "input_conv_filters": [4],
    "input_conv_kernel_sizes": [3],
}
TINY_CSP_DARKNET = {"stackwise_channels": [4, 8, 8, 8], "stackwise_depth": [1, 1, 1, 1]}


def random_images(num_images=2, size=32, seed=0):
    return np.random.default_rng(seed).uniform(0, 1, (num_images, size, size, 3)).astype("float32")
