"""`kerasverse.automl`: AutoKeras for Keras 3 on JAX or PyTorch, on `kerasverse.tuner`.

An AutoKeras 3.0 script runs after changing only the import:

```python
import kerasverse.automl as ak
from sklearn.datasets import load_digits

x, y = load_digits(return_X_y=True)
clf = ak.ImageClassifier(max_trials=2, overwrite=True, seed=1)
clf.fit(x.reshape(-1, 8, 8), y, epochs=5)
print(clf.predict(x[:5].reshape(-1, 8, 8)))      # integer labels, as given
model = clf.export_model()                        # a plain Keras model
model.save("digits.keras")
```
"""

from kerasverse.automl.auto_model import AutoModel
from kerasverse.automl.block import Block
from kerasverse.automl.blocks import ClassificationHead
from kerasverse.automl.blocks import ConvBlock
from kerasverse.automl.blocks import DenseBlock
from kerasverse.automl.blocks import EfficientNetBlock
from kerasverse.automl.blocks import Embedding
from kerasverse.automl.blocks import Flatten
from kerasverse.automl.blocks import ImageAugmentation
from kerasverse.automl.blocks import ImageBlock
from kerasverse.automl.blocks import Merge
from kerasverse.automl.blocks import Normalization
from kerasverse.automl.blocks import RegressionHead
from kerasverse.automl.blocks import ResNetBlock
from kerasverse.automl.blocks import RNNBlock
from kerasverse.automl.blocks import SpatialReduction
from kerasverse.automl.blocks import StructuredDataBlock
from kerasverse.automl.blocks import TemporalReduction
from kerasverse.automl.blocks import TextBlock
from kerasverse.automl.blocks import TimeseriesBlock
from kerasverse.automl.blocks import XceptionBlock
from kerasverse.automl.graph import Graph
from kerasverse.automl.head import Head
from kerasverse.automl.keras_layers import BertInputs
from kerasverse.automl.keras_layers import CastToFloat32
from kerasverse.automl.keras_layers import ExpandLastDim
from kerasverse.automl.keras_layers import NgramEmbedding
from kerasverse.automl.leaderboard import leaderboard
from kerasverse.automl.nodes import ImageInput
from kerasverse.automl.nodes import Input
from kerasverse.automl.nodes import Node
from kerasverse.automl.nodes import StructuredDataInput
from kerasverse.automl.nodes import TextInput
from kerasverse.automl.nodes import TimeseriesInput
from kerasverse.automl.preprocessed_model import PreprocessedModel
from kerasverse.automl.tasks import ImageClassifier
from kerasverse.automl.tasks import ImageRegressor
from kerasverse.automl.tasks import StructuredDataClassifier
from kerasverse.automl.tasks import StructuredDataRegressor
from kerasverse.automl.tasks import TextClassifier
from kerasverse.automl.tasks import TextRegressor
from kerasverse.automl.tasks import TimeseriesForecaster
from kerasverse.automl.tuners import AutoTuner
from kerasverse.automl.tuners import BayesianOptimization
from kerasverse.automl.tuners import BestTrialPruner
from kerasverse.automl.tuners import Greedy
from kerasverse.automl.tuners import Hyperband
from kerasverse.automl.tuners import RandomSearch

__version__ = "3.0.0"

CUSTOM_OBJECTS = {
    "CastToFloat32": CastToFloat32,
    "ExpandLastDim": ExpandLastDim,
    "NgramEmbedding": NgramEmbedding,
    "BertInputs": BertInputs,
    "PreprocessedModel": PreprocessedModel,
}

__all__ = [
    "AutoModel", "AutoTuner", "BayesianOptimization", "BestTrialPruner", "Block", "CUSTOM_OBJECTS", "CastToFloat32",
    "ClassificationHead", "ConvBlock", "DenseBlock", "EfficientNetBlock", "Embedding", "ExpandLastDim",
    "Flatten", "Graph", "Greedy", "Head", "Hyperband", "ImageAugmentation", "ImageBlock", "ImageClassifier",
    "ImageInput", "ImageRegressor", "Input", "Merge", "Node", "Normalization", "PreprocessedModel",
    "RNNBlock", "RandomSearch", "RegressionHead", "ResNetBlock", "SpatialReduction", "StructuredDataBlock",
    "StructuredDataClassifier", "StructuredDataInput", "StructuredDataRegressor", "TemporalReduction",
    "TextBlock", "TextClassifier", "TextInput", "TextRegressor", "TimeseriesBlock", "TimeseriesForecaster",
    "TimeseriesInput", "XceptionBlock", "leaderboard",
]
