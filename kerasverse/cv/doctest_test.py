"""Runs the `>>>` examples of every kerasverse.cv module (docstrings must stay runnable)."""

import doctest
import importlib
import pkgutil

import pytest

import kerasverse.cv

MODULES = sorted(
    name
    for _, name, _ in pkgutil.walk_packages(kerasverse.cv.__path__, "kerasverse.cv.")
    if not name.endswith("_test") and ".models" not in name
)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0, f"{result.failed} docstring example(s) failed in {name}"
