"""The components (`tfx.components`): spec + executor each, one file per component."""

from kerasverse.pipeline.components.base_component import BaseComponent
from kerasverse.pipeline.components.base_component import BaseExecutor
from kerasverse.pipeline.components.base_component import SkipExecution
from kerasverse.pipeline.components.evaluator import Evaluator
from kerasverse.pipeline.components.example_gen import CsvExampleGen
from kerasverse.pipeline.components.example_gen import DataFrameExampleGen
from kerasverse.pipeline.components.example_gen import ImportExampleGen
from kerasverse.pipeline.components.example_validator import ExampleValidator
from kerasverse.pipeline.components.infra_validator import InfraValidator
from kerasverse.pipeline.components.pusher import Pusher
from kerasverse.pipeline.components.schema_gen import ImportSchemaGen
from kerasverse.pipeline.components.schema_gen import SchemaGen
from kerasverse.pipeline.components.statistics_gen import StatisticsGen
from kerasverse.pipeline.components.trainer import Trainer
from kerasverse.pipeline.components.transform import Transform
from kerasverse.pipeline.components.tuner import Tuner

__all__ = [
    "BaseComponent", "BaseExecutor", "CsvExampleGen", "DataFrameExampleGen", "Evaluator", "ExampleValidator",
    "ImportExampleGen", "ImportSchemaGen", "InfraValidator", "Pusher", "SchemaGen", "SkipExecution", "StatisticsGen", "Trainer",
    "Transform", "Tuner",
]
