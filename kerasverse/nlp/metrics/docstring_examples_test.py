"""Runs the `Example:` code block of every public docstring in this package."""

import importlib
import re
import textwrap

import numpy as np
import pytest

PACKAGE = "kerasverse.nlp.metrics"
package = importlib.import_module(PACKAGE)


def examples():
    for name in package.__all__:
        obj = getattr(package, name)
        for block in re.findall(r"```python\n(.*?)```", obj.__doc__ or "", re.S):
            yield pytest.param(name, textwrap.dedent(block), id=name)


@pytest.mark.parametrize("name, code", list(examples()))
def test_docstring_example_runs(name, code):
    namespace = {"np": np, **{n: getattr(package, n) for n in package.__all__}}
    namespace["kerasverse"] = importlib.import_module("kerasverse")
    exec(compile(code, f"<{name} docstring>", "exec"), namespace)
