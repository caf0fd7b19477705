import numpy as np
import pytest

from kerasverse.optimize import sparsity
from kerasverse.testing import TestCase


class PruningScheduleTest(TestCase):
    def test_constant_sparsity_steps(self):
        schedule = sparsity.ConstantSparsity(0.7, begin_step=10, end_step=30, frequency=10)
        decisions = {step: bool(schedule(step)[0]) for step in (0, 5, 10, 15, 20, 30, 40)}
        self.assertEqual(
            decisions, {0: False, 5: False, 10: True, 15: False, 20: True, 30: True, 40: False}
        )
        self.assertAllClose(schedule(10)[1], 0.7)

    def test_polynomial_decay_matches_formula(self):
        schedule = sparsity.PolynomialDecay(0.1, 0.9, begin_step=0, end_step=100, power=3)
        for step in (0, 25, 50, 100, 150):
            progress = min(step / 100.0, 1.0)
            expected = 0.9 + (0.1 - 0.9) * (1 - progress) ** 3
            self.assertAllClose(schedule(step)[1], expected, atol=1e-6)
        self.assertFalse(bool(schedule(200)[0]))  # no updates after end_step

    def test_python_and_tensor_steps_agree(self):
        # Eager training (PyTorch) passes Python ints; the jitted step passes tensors.
        import keras

        for schedule in (
            sparsity.ConstantSparsity(0.7, begin_step=10, end_step=30, frequency=10),
            sparsity.ConstantSparsity(0.5, begin_step=3, frequency=4),
            sparsity.PolynomialDecay(0.1, 0.8, begin_step=5, end_step=45, power=3, frequency=7),
        ):
            for step in range(0, 60):
                python_prune, python_sparsity = schedule(step)
                tensor_prune, tensor_sparsity = schedule(keras.ops.convert_to_tensor(step, "int32"))
                self.assertEqual(bool(python_prune), bool(keras.ops.convert_to_numpy(tensor_prune)), (schedule, step))
                self.assertAllClose(python_sparsity, tensor_sparsity, atol=1e-6)

    def test_config_round_trip(self):
        for schedule in (
            sparsity.ConstantSparsity(0.5, 3, 20, 2),
            sparsity.PolynomialDecay(0.0, 0.8, 0, 50, power=2, frequency=5),
        ):
            revived = type(schedule).from_config(schedule.get_config())
            self.assertEqual(revived.get_config(), schedule.get_config())

    def test_bad_arguments(self):
        with pytest.raises(ValueError, match=r"target_sparsity.*\[0, 1\).*Received: target_sparsity=1.0"):
            sparsity.ConstantSparsity(1.0, 0)
        with pytest.raises(ValueError, match="final_sparsity=-0.1"):
            sparsity.PolynomialDecay(0.0, -0.1, 0, 10)
        with pytest.raises(ValueError, match="`end_step` > `begin_step`"):
            sparsity.PolynomialDecay(0.0, 0.5, 10, -1)
        with pytest.raises(ValueError, match="frequency=0"):
            sparsity.ConstantSparsity(0.5, 0, frequency=0)
        self.assertTrue(np.isfinite(float(sparsity.ConstantSparsity(0.0, 0)(0)[1])))


def test_numpy_numbers_are_accepted():
    # The tfmot "Pruning with Keras" guide computes end_step with numpy.
    end_step = np.ceil(1688 / 128).astype(np.int32) * 2
    schedule = sparsity.PolynomialDecay(0.5, 0.8, 0, np.int32(844))
    assert schedule.get_config() == {
        "initial_sparsity": 0.5, "final_sparsity": 0.8, "begin_step": 0,
        "end_step": 844, "power": 3, "frequency": 100,
    }
    assert all(type(schedule.get_config()[k]) is int for k in ("begin_step", "end_step"))
    sparsity.PolynomialDecay(np.float64(0.5), np.float32(0.8), np.int64(0), end_step)
    constant = sparsity.ConstantSparsity(np.float32(0.5), np.int64(0), frequency=np.int16(10))
    assert constant.get_config()["target_sparsity"] == 0.5
    assert type(constant.get_config()["frequency"]) is int
    assert bool(constant(10)[0])
    with pytest.raises(ValueError, match=r"end_step.*Received: end_step=12.5"):
        sparsity.PolynomialDecay(0.5, 0.8, 0, 12.5)
    with pytest.raises(ValueError, match="target_sparsity=True"):
        sparsity.ConstantSparsity(True, 0)
