"""`ChannelShuffle`: a random permutation of channel groups per image."""

import keras
from keras import ops

from kerasverse.cv.layers.base_augmentation import BaseAugmentationLayer
from kerasverse.cv.layers.base_augmentation import uniform


@keras.saving.register_keras_serializable(package="kerasverse")
class ChannelShuffle(BaseAugmentationLayer):
    """Shuffles the channels of each image in groups (a new permutation per image).

    Channels are split into `groups` equal consecutive groups; each image gets
    its own random order of the groups. Boxes and labels are unchanged.

    Args:
        groups: number of channel groups; must divide the channel count.
        seed: integer seed.

    Example:

    >>> import numpy as np
    >>> layer = ChannelShuffle(groups=3, seed=1)
    >>> out = np.asarray(layer(np.array([[[[1.0, 2.0, 3.0]]]])))
    >>> sorted(out.reshape(-1).tolist())
    [1.0, 2.0, 3.0]
    """

    def __init__(self, groups=3, seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        if int(groups) < 1:
            raise ValueError(f"`groups` must be >= 1. Received: groups={groups}.")
        self.groups = int(groups)

    def augment(self, images, bounding_boxes, labels):
        batch, height, width, channels = ops.shape(images)
        if channels % self.groups:
            raise ValueError(
                f"The channel count must be divisible by `groups`. Received: channels={channels}, groups={self.groups}."
            )
        permutation = ops.argsort(uniform(self, (batch, self.groups), 0.0, 1.0), axis=-1)
        grouped = ops.reshape(images, (batch, height, width, self.groups, channels // self.groups))
        shuffled = ops.take_along_axis(grouped, permutation[:, None, None, :, None], axis=3)
        return ops.reshape(shuffled, (batch, height, width, channels)), bounding_boxes, labels

    def get_config(self):
        return {**super().get_config(), "groups": self.groups}
