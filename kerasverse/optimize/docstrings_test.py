"""Runs the `>>>` examples of the optimize docstrings."""

import doctest
import importlib

import pytest

MODULES = [
    "kerasverse.optimize.report",
    "kerasverse.optimize.sparsity.pruning_schedule",
    "kerasverse.optimize.sparsity.pruning_wrapper",
    "kerasverse.optimize.clustering.cluster_weights_wrapper",
    "kerasverse.optimize.quantization.quantize_config",
    "kerasverse.optimize.quantization.quantize_annotate",
    "kerasverse.optimize.quantization.quantize_wrapper",
    "kerasverse.optimize.quantization.quantizers",
    "kerasverse.optimize.quantization.quantize_scheme",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0, f"{name} has no examples"
    assert result.failed == 0, f"{result.failed} docstring example(s) of {name} failed"
