import numpy as np
import pytest

from kerasverse.export import litert
from kerasverse.export.litert.conftest import NEEDS_LITERT

pytestmark = NEEDS_LITERT


def test_predict_matches_keras_for_any_batch_size(converted):
    lite = litert.LiteModel(converted.paths["float32"])
    expected = converted.model.predict(converted.x, verbose=0)
    for batch_size in (1, 7, 100, None):
        np.testing.assert_allclose(
            lite.predict(converted.x, batch_size=batch_size), expected, atol=1e-5
        )


def test_int8_runner_quantizes_inputs_and_dequantizes_outputs(converted):
    lite = litert.LiteModel(converted.paths["int8"])
    assert lite.is_quantized
    outputs = lite.predict(converted.x[:5])
    assert outputs.dtype == np.float32
    # Dequantized softmax: rows sum to about 1 (int8 steps of 1/256).
    np.testing.assert_allclose(outputs.sum(-1), 1.0, atol=0.05)


def test_specs_report_dynamic_batch(converted):
    lite = litert.LiteModel(converted.paths["float32"])
    ((name, shape, dtype),) = lite.input_specs
    assert shape == (None, 12, 12, 1) and dtype == "float32"
    assert lite.output_specs[0][1] == (None, 3)
    assert "LiteModel(" in repr(lite)


def test_wrong_input_shape_and_dtype(converted):
    lite = litert.LiteModel(converted.paths["int8"])
    with pytest.raises(
        ValueError,
        match=r"expects shape \(None, 12, 12, 1\).*Received: shape \(2, 12, 12\)",
    ):
        lite.predict(np.zeros((2, 12, 12)))
    with pytest.raises(TypeError, match="expects numeric data"):
        lite.predict(np.full((1, 12, 12, 1), "x"))


def test_missing_file():
    with pytest.raises(FileNotFoundError, match="No LiteRT file at 'nope.tflite'"):
        litert.LiteModel("nope.tflite")
