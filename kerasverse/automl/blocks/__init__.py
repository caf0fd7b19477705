"""The blocks and heads of the AutoModel graph (AutoKeras' names)."""

from kerasverse.automl.blocks.classification_head import ClassificationHead
from kerasverse.automl.blocks.conv_block import ConvBlock
from kerasverse.automl.blocks.dense_block import DenseBlock
from kerasverse.automl.blocks.efficientnet_block import EfficientNetBlock
from kerasverse.automl.blocks.embedding import Embedding
from kerasverse.automl.blocks.flatten import Flatten
from kerasverse.automl.blocks.image_augmentation import ImageAugmentation
from kerasverse.automl.blocks.image_block import ImageBlock
from kerasverse.automl.blocks.merge import Merge
from kerasverse.automl.blocks.normalization import Normalization
from kerasverse.automl.blocks.regression_head import RegressionHead
from kerasverse.automl.blocks.resnet_block import ResNetBlock
from kerasverse.automl.blocks.rnn_block import RNNBlock
from kerasverse.automl.blocks.spatial_reduction import SpatialReduction
from kerasverse.automl.blocks.structured_data_block import StructuredDataBlock
from kerasverse.automl.blocks.temporal_reduction import TemporalReduction
from kerasverse.automl.blocks.text_block import TextBlock
from kerasverse.automl.blocks.timeseries_block import TimeseriesBlock
from kerasverse.automl.blocks.xception_block import XceptionBlock

__all__ = [
    "ClassificationHead", "ConvBlock", "DenseBlock", "EfficientNetBlock", "Embedding", "Flatten",
    "ImageAugmentation", "ImageBlock", "Merge", "Normalization", "RNNBlock", "RegressionHead",
    "ResNetBlock", "SpatialReduction", "StructuredDataBlock", "TemporalReduction", "TextBlock",
    "TimeseriesBlock", "XceptionBlock",
]
