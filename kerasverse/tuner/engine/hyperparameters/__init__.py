"""Hyperparameter types and the `HyperParameters` container."""

from kerasverse.tuner.engine.hyperparameters.boolean_hp import Boolean
from kerasverse.tuner.engine.hyperparameters.choice_hp import Choice
from kerasverse.tuner.engine.hyperparameters.conditions import Parent
from kerasverse.tuner.engine.hyperparameters.fixed_hp import Fixed
from kerasverse.tuner.engine.hyperparameters.float_hp import Float
from kerasverse.tuner.engine.hyperparameters.hyperparameter import HyperParameter
from kerasverse.tuner.engine.hyperparameters.hyperparameters import HyperParameters
from kerasverse.tuner.engine.hyperparameters.hyperparameters import deserialize
from kerasverse.tuner.engine.hyperparameters.hyperparameters import serialize
from kerasverse.tuner.engine.hyperparameters.int_hp import Int

__all__ = [
    "Boolean",
    "Choice",
    "Fixed",
    "Float",
    "HyperParameter",
    "HyperParameters",
    "Int",
    "Parent",
    "deserialize",
    "serialize",
]
