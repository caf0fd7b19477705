"""`ImageBlock`: the image search space (vanilla CNN, ResNet, Xception, EfficientNet)."""

from kerasverse.automl.block import Block
from kerasverse.automl.block import one_input
from kerasverse.automl.block import tunable
from kerasverse.automl.blocks.conv_block import ConvBlock
from kerasverse.automl.blocks.efficientnet_block import EfficientNetBlock
from kerasverse.automl.blocks.image_augmentation import ImageAugmentation
from kerasverse.automl.blocks.normalization import Normalization
from kerasverse.automl.blocks.resnet_block import ResNetBlock
from kerasverse.automl.blocks.xception_block import XceptionBlock

BLOCK_TYPES = {"vanilla": ConvBlock, "resnet": ResNetBlock, "xception": XceptionBlock, "efficient": EfficientNetBlock}


class ImageBlock(Block):
    """Normalization, augmentation and one of the image blocks.

    Args:
        block_type: "vanilla" (ConvBlock), "resnet", "xception" or
            "efficient" (default searched; AutoKeras' names).
        normalize: Standardize the pixels (default searched).
        augment: Add `ImageAugmentation` (default searched).
        name: The block's name.

    Example:

    ```python
    output_node = ak.ImageBlock(block_type="resnet", augment=False)(ak.ImageInput())
    ```
    """

    def __init__(self, block_type=None, normalize=None, augment=None, **kwargs):
        super().__init__(**kwargs)
        if block_type is not None and not hasattr(block_type, "get_config") and block_type not in BLOCK_TYPES:
            raise ValueError(f"`block_type` must be one of {list(BLOCK_TYPES)}. Received: block_type={block_type!r}.")
        self.block_type = block_type
        self.normalize = normalize
        self.augment = augment

    def build(self, hp, inputs=None):
        x = one_input(self, inputs)
        normalize = tunable(hp, "normalize", self.normalize, lambda: hp.Boolean("normalize", default=True))
        if normalize:
            x = self.build_child(hp, Normalization(), [x])
        augment = tunable(hp, "augment", self.augment, lambda: hp.Boolean("augment", default=False))
        if augment:
            x = self.build_child(hp, ImageAugmentation(), [x])
        if self.block_type is None:
            block_type = hp.Choice("block_type", list(BLOCK_TYPES), default="vanilla")
            with hp.conditional_scope("block_type", [block_type]):
                return self.build_child(hp, BLOCK_TYPES[block_type](), [x])
        block_type = tunable(hp, "block_type", self.block_type, lambda: None)
        return self.build_child(hp, BLOCK_TYPES[block_type](), [x])

    def get_config(self):
        return {**super().get_config(), "block_type": self.block_type, "normalize": self.normalize, "augment": self.augment}
