"""Shared fixture: the tiny classifier exported to ONNX once per test session."""

import importlib.util
import types

import pytest

from kerasverse.export.litert.conftest import blob_data
from kerasverse.export.litert.conftest import tiny_classifier


@pytest.fixture(scope="session")
def exported(tmp_path_factory):
    """The tiny classifier, its float `.onnx` (dynamic batch) and the int8 copy."""
    if importlib.util.find_spec("onnxruntime") is None:
        pytest.skip("needs the [onnx] extra (onnx, onnxruntime)")
    from kerasverse.export import onnx

    directory = tmp_path_factory.mktemp("onnx")
    model = tiny_classifier()
    paths = {
        "float32": str(directory / "float32.onnx"),
        "int8": str(directory / "int8.onnx"),
    }
    onnx.export(model, paths["float32"])
    onnx.quantize(paths["float32"], paths["int8"])
    x_test, y_test = blob_data(100, seed=2)
    return types.SimpleNamespace(
        model=model, paths=paths, x=x_test, y=y_test, directory=directory
    )
