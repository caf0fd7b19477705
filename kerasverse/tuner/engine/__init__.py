"""The engine (keras_tuner's `kt.engine` layout): hyperparameters, trials,
objectives, the oracle and tuner base classes."""

from kerasverse.tuner.engine import base_tuner
from kerasverse.tuner.engine import hypermodel
from kerasverse.tuner.engine import hyperparameters
from kerasverse.tuner.engine import metrics_tracking
from kerasverse.tuner.engine import objective
from kerasverse.tuner.engine import oracle
from kerasverse.tuner.engine import trial
from kerasverse.tuner.engine import tuner

__all__ = [
    "base_tuner",
    "hypermodel",
    "hyperparameters",
    "metrics_tracking",
    "objective",
    "oracle",
    "trial",
    "tuner",
]
