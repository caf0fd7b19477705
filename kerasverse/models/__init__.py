"""kerasverse.models: what every model family shares.

`Backbone`, `Task` and `Preprocessor` base classes (the keras_hub shape), the
preset directory format (`preset_io`) and Hugging Face checkpoint conversion
(`HuggingFaceConverter`, `register_converter`, `SafetensorsCheckpoint`).
`kerasverse.nlp` and `kerasverse.cv` build their families on these and never
import each other.
"""

from kerasverse.models import preset_io
from kerasverse.models.backbone import Backbone
from kerasverse.models.hugging_face import HuggingFaceConverter
from kerasverse.models.hugging_face import SafetensorsCheckpoint
from kerasverse.models.hugging_face import register_converter
from kerasverse.models.preprocessor import Preprocessor
from kerasverse.models.task import PreprocessedDataset
from kerasverse.models.task import Task

__all__ = [
    "Backbone",
    "Task",
    "Preprocessor",
    "PreprocessedDataset",
    "HuggingFaceConverter",
    "SafetensorsCheckpoint",
    "register_converter",
    "preset_io",
]
