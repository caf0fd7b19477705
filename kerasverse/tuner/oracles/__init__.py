"""Oracles: how the next trial's hyperparameters are chosen (keras_tuner names)."""

from kerasverse.tuner.engine.oracle import Oracle
from kerasverse.tuner.oracles.bayesian_optimization import BayesianOptimizationOracle
from kerasverse.tuner.oracles.grid_search import GridSearchOracle
from kerasverse.tuner.oracles.hyperband import HyperbandOracle
from kerasverse.tuner.oracles.random_search import RandomSearchOracle

# keras_tuner 1.0 aliases.
BayesianOptimization = BayesianOptimizationOracle
GridSearch = GridSearchOracle
Hyperband = HyperbandOracle
RandomSearch = RandomSearchOracle

__all__ = [
    "BayesianOptimization",
    "BayesianOptimizationOracle",
    "GridSearch",
    "GridSearchOracle",
    "Hyperband",
    "HyperbandOracle",
    "Oracle",
    "RandomSearch",
    "RandomSearchOracle",
]
