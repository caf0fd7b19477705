"""Pruners: stop unpromising trials early from their intermediate values."""

from kerasverse.tuner.pruners.median_pruner import MedianPruner
from kerasverse.tuner.pruners.pruner import Pruner
from kerasverse.tuner.pruners.successive_halving_pruner import SuccessiveHalvingPruner

__all__ = ["MedianPruner", "Pruner", "SuccessiveHalvingPruner"]
