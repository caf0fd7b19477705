"""Tuners: the search loops with their oracles (keras_tuner names)."""

from kerasverse.tuner.tuners.bayesian_optimization import BayesianOptimization
from kerasverse.tuner.tuners.grid_search import GridSearch
from kerasverse.tuner.tuners.hyperband import Hyperband
from kerasverse.tuner.tuners.random_search import RandomSearch
from kerasverse.tuner.tuners.sklearn_tuner import SklearnTuner

__all__ = ["BayesianOptimization", "GridSearch", "Hyperband", "RandomSearch", "SklearnTuner"]
