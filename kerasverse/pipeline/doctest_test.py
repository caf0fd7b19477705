"""Runs the `>>>` examples of every kerasverse.pipeline module (docstrings must stay runnable)."""

import doctest
import importlib
import pkgutil

import pytest

import kerasverse.pipeline

pytestmark = pytest.mark.host

MODULES = sorted(
    name
    for _, name, _ in pkgutil.walk_packages(kerasverse.pipeline.__path__, "kerasverse.pipeline.")
    if not name.endswith("_test")
)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0, f"{result.failed} docstring example(s) failed in {name}"
