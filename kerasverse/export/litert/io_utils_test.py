import numpy as np
import pytest

from kerasverse.export.litert import io_utils

SPECS = [("image", (None, 4, 4, 1), "float32")]


def test_quantize_then_dequantize_is_within_half_a_step():
    x = np.linspace(-1.0, 1.0, 11, dtype="float32")
    quantization = (2.0 / 255, -1)
    q = io_utils.to_input(x, "int8", quantization)
    assert q.dtype == np.int8
    back = io_utils.from_output(q, quantization)
    np.testing.assert_allclose(back, x, atol=quantization[0] / 2 + 1e-7)


def test_quantize_clips_to_the_integer_range():
    q = io_utils.to_input(np.array([-100.0, 100.0]), "uint8", (0.01, 128))
    assert q.tolist() == [0, 255]


def test_int8_input_passes_through_unchanged():
    x = np.array([-3, 5], "int8")
    assert io_utils.to_input(x, "int8", (0.1, 0)) is x


def test_quantization_of_reads_tensor_details():
    detail = {
        "quantization": (0.5, 3),
        "quantization_parameters": {"scales": np.array([0.5]), "zero_points": [3]},
    }
    assert io_utils.quantization_of(detail) == (0.5, 3)
    assert io_utils.quantization_of({"quantization": (0.0, 0)}) is None


def test_check_inputs_accepts_lists_and_dicts():
    x = np.zeros((2, 4, 4, 1))
    assert io_utils.check_inputs(x, SPECS, "R")[0].shape == (2, 4, 4, 1)
    assert io_utils.check_inputs({"image": x}, SPECS, "R")[0] is not None


def test_wrong_shape_names_input_and_expected_shape():
    with pytest.raises(
        ValueError,
        match=r"input 'image' expects shape \(None, 4, 4, 1\).*Received: shape \(2, 4, 4\)",
    ):
        io_utils.check_inputs(np.zeros((2, 4, 4)), SPECS, "LiteModel")


def test_wrong_dtype_is_a_type_error():
    with pytest.raises(TypeError, match="expects numeric data.*Received: dtype <U1"):
        io_utils.check_inputs(np.full((1, 4, 4, 1), "a"), SPECS, "LiteModel")
    with pytest.raises(
        TypeError, match="expects integers \\(int32\\). Received: dtype float64"
    ):
        io_utils.check_inputs(
            np.zeros((1, 3)), [("ids", (None, 3), "int32")], "LiteModel"
        )


def test_wrong_number_of_inputs():
    with pytest.raises(
        ValueError, match=r"expects 1 input array\(s\) \(image\). Received: 2"
    ):
        io_utils.check_inputs([np.zeros((1, 4, 4, 1))] * 2, SPECS, "LiteModel")


def test_batch_size_rules():
    assert io_utils.check_batch_size(None, None, "R") == io_utils.DEFAULT_BATCH_SIZE
    assert io_utils.check_batch_size(None, 8, "R") == 8
    with pytest.raises(ValueError, match="Received: batch_size=0"):
        io_utils.check_batch_size(0, None, "R")
    with pytest.raises(
        ValueError, match="fixed batch dimension of 8. Received: batch_size=4"
    ):
        io_utils.check_batch_size(4, 8, "R")


def test_pad_batch():
    padded = io_utils.pad_batch(np.ones((3, 2)), 5)
    assert padded.shape == (5, 2) and padded[3:].sum() == 0
