"""`kerasverse.tuner`: KerasTuner for Keras 3, with pruning, database-backed
studies, Pareto fronts and parallel workers.

A keras_tuner 1.4 script runs after changing only the import:

```python
import kerasverse.tuner as kt

def build_model(hp):
    model = keras.Sequential([
        keras.layers.Dense(hp.Int("units", 8, 64, step=8), activation="relu"),
        keras.layers.Dense(1),
    ])
    model.compile(keras.optimizers.Adam(hp.Float("lr", 1e-4, 1e-2, sampling="log")), "mse")
    return model

tuner = kt.RandomSearch(build_model, objective="val_loss", max_trials=5,
                        pruner=kt.MedianPruner())
tuner.search(x, y, epochs=5, validation_split=0.2)
best_model = tuner.get_best_models(1)[0]
```
"""

import sys

from kerasverse.tuner import engine
from kerasverse.tuner import errors
from kerasverse.tuner import oracles
from kerasverse.tuner import pruners
from kerasverse.tuner import storage
from kerasverse.tuner import tuners
from kerasverse.tuner.engine.base_tuner import BaseTuner
from kerasverse.tuner.engine.hypermodel import HyperModel
from kerasverse.tuner.engine.hyperparameters import HyperParameter
from kerasverse.tuner.engine.hyperparameters import HyperParameters
from kerasverse.tuner.engine.objective import Objective
from kerasverse.tuner.engine.oracle import Oracle
from kerasverse.tuner.engine.trial import Trial
from kerasverse.tuner.engine.trial import TrialStatus
from kerasverse.tuner.engine.tuner import Tuner
from kerasverse.tuner.pruners import MedianPruner
from kerasverse.tuner.pruners import Pruner
from kerasverse.tuner.pruners import SuccessiveHalvingPruner
from kerasverse.tuner.storage import InMemoryStorage
from kerasverse.tuner.storage import SQLStorage
from kerasverse.tuner.storage import Storage
from kerasverse.tuner.tuners import BayesianOptimization
from kerasverse.tuner.tuners import GridSearch
from kerasverse.tuner.tuners import Hyperband
from kerasverse.tuner.tuners import RandomSearch
from kerasverse.tuner.tuners import SklearnTuner

# `applications` imports Keras (seconds): at once when Keras is loaded already
# (it registers a layer for `keras.saving.load_model`), else on first use, so
# that worker processes and the report CLI start fast.
if "keras" in sys.modules:
    from kerasverse.tuner import applications  # noqa: F401
    from kerasverse.tuner import callbacks  # noqa: F401

# Submodules that import Keras: loaded on first use.
_LAZY_SUBMODULES = ("applications", "callbacks")


def __getattr__(name):
    if name in _LAZY_SUBMODULES:
        import importlib

        return importlib.import_module(f"kerasverse.tuner.{name}")
    raise AttributeError(f"module 'kerasverse.tuner' has no attribute {name!r}")


def load_study(path_or_url, project_name=None):
    """Opens a saved study read-only: a project directory (with its
    `study.db`) or a database URL plus `project_name`. Returns an `Oracle`
    holding its trials (for reports and analysis)."""
    from kerasverse.tuner.report.study import load_study as _load

    return _load(path_or_url, project_name)


__all__ = [
    "BaseTuner",
    "callbacks",
    "BayesianOptimization",
    "GridSearch",
    "HyperModel",
    "HyperParameter",
    "HyperParameters",
    "Hyperband",
    "InMemoryStorage",
    "MedianPruner",
    "Objective",
    "Oracle",
    "Pruner",
    "RandomSearch",
    "SQLStorage",
    "SklearnTuner",
    "Storage",
    "SuccessiveHalvingPruner",
    "Trial",
    "TrialStatus",
    "Tuner",
    "applications",
    "engine",
    "errors",
    "load_study",
    "oracles",
    "pruners",
    "storage",
    "tuners",
]
