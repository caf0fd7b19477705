import numpy as np
import pytest

from kerasverse.export.onnx import OnnxModel


def test_predict_for_any_batch_size(exported):
    runner = OnnxModel(exported.paths["float32"])
    expected = exported.model.predict(exported.x, verbose=0)
    for batch_size in (1, 33, None):
        np.testing.assert_allclose(
            runner.predict(exported.x, batch_size=batch_size), expected, atol=1e-5
        )


def test_integer_input_is_cast_to_float(exported):
    runner = OnnxModel(exported.paths["float32"])
    ones = np.ones((2, 12, 12, 1), "int64")
    np.testing.assert_allclose(
        runner.predict(ones), runner.predict(ones.astype("float32"))
    )


def test_wrong_input_shape_and_dtype(exported):
    runner = OnnxModel(exported.paths["int8"])
    with pytest.raises(
        ValueError,
        match=r"OnnxModel.predict: input '.*' expects shape \(None, 12, 12, 1\)",
    ):
        runner.predict(np.zeros((2, 12, 13, 1)))
    with pytest.raises(TypeError, match="expects numeric data"):
        runner.predict(np.full((1, 12, 12, 1), None))
    with pytest.raises(ValueError, match="batch_size` must be a positive int"):
        runner.predict(exported.x, batch_size=-1)


def test_missing_file():
    with pytest.raises(FileNotFoundError, match="No ONNX file at 'nope.onnx'"):
        OnnxModel("nope.onnx")
