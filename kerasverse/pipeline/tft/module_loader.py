"""Imports user module files (TFX's `module_file`) and finds their functions."""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import os
import sys
from collections.abc import Callable
from typing import Any


def load_fn(component: str, fn_name: str, module_file: str | None = None, fn: Any = None) -> Callable:
    """The function `fn_name` of `module_file` (or `fn` itself, or a 'pkg.module.fn' path).

    Raises a ValueError naming the component, the file and what to define.
    """
    if callable(fn):
        return fn
    if isinstance(fn, str) and fn:
        module_name, _, attribute = fn.rpartition(".")
        try:
            return getattr(importlib.import_module(module_name), attribute)
        except (ImportError, AttributeError, ValueError) as error:
            raise ValueError(f"{component}: cannot import {fn_name}={fn!r} ({error}). Fix: give 'package.module.function'.") from error
    if not module_file:
        raise ValueError(f"{component}: give `module_file` (a Python file defining `{fn_name}`) or `{fn_name}`.")
    module = load_module(component, module_file)
    function = getattr(module, fn_name, None)
    if not callable(function):
        raise ValueError(
            f"{component}: module_file {module_file} does not define `{fn_name}`. "
            f"Fix: add `def {fn_name}(...)` to it (see docs/pipeline.md, 'The module file')."
        )
    return function


def load_module(component: str, module_file: str):
    path = os.path.abspath(module_file)
    if not os.path.isfile(path):
        raise ValueError(f"{component}: module_file {module_file!r} does not exist. Fix: give the path of your module file.")
    with open(path, "rb") as handle:
        digest = hashlib.sha256(handle.read()).hexdigest()[:16]
    name = f"_kerasverse_user_module_{digest}"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as error:
        del sys.modules[name]
        raise ValueError(f"{component}: importing module_file {module_file} failed: {type(error).__name__}: {error}") from error
    return module
