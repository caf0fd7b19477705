import numpy as np
import pytest

from kerasverse.export.litert import compare_outputs


def test_compare_outputs_against_hand_computed_values():
    reference = np.array([[0.1, 0.9], [0.8, 0.2], [0.4, 0.6]])
    candidate = np.array([[0.2, 0.8], [0.3, 0.7], [0.4, 0.6]])
    report = compare_outputs(reference, candidate)
    assert report["max_abs_diff"] == pytest.approx(0.5)
    assert report["top1_agreement"] == pytest.approx(2 / 3)
    assert report["num_samples"] == 3


def test_regression_outputs_have_no_top1():
    assert compare_outputs(np.ones((4, 1)), np.ones((4, 1)))["top1_agreement"] is None


def test_shape_mismatch_is_reported():
    with pytest.raises(
        ValueError, match=r"Output shapes differ: Keras \(2, 3\), runtime \(2, 4\)"
    ):
        compare_outputs(np.ones((2, 3)), np.ones((2, 4)))
