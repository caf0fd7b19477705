"""RegressionHead: the output layer starts at the training targets' scale."""

import keras
import numpy as np

import kerasverse.automl as ak
from kerasverse.tuner.engine.hyperparameters import HyperParameters


def _model(head, features=3):
    inputs = keras.Input((features,))
    return keras.Model(inputs, head.build(HyperParameters(), [inputs]))


def test_output_is_rescaled_to_the_targets_mean_and_std():
    targets = np.array([[100.0, -1.0], [200.0, 1.0], [300.0, 3.0]])
    head = ak.RegressionHead(name="regression_head_1")
    head.fit_targets(targets)
    model = _model(head)
    dense = model.get_layer(f"{head.name}_dense")
    kernel, bias = dense.get_weights()
    # Kernel 0 and bias 1: every output is the mean plus one standard deviation.
    dense.set_weights([np.zeros_like(kernel), np.ones_like(bias)])
    expected = targets.mean(axis=0) + targets.std(axis=0)
    np.testing.assert_allclose(model.predict(np.zeros((2, 3)), verbose=0), [expected, expected], rtol=1e-5)
    assert model.layers[-1].name == head.name  # The output keeps the head's name.


def test_scaling_survives_the_head_state_and_a_constant_target():
    head = ak.RegressionHead(name="regression_head_1")
    head.fit_targets(np.array([5.0, 5.0, 5.0]))
    restored = ak.RegressionHead(name="regression_head_1")
    restored.set_state(head.get_state())
    assert restored.target_mean == [5.0] and restored.target_std == [1.0]  # std 0 -> 1
    model = _model(restored)
    dense = model.get_layer(f"{restored.name}_dense")
    dense.set_weights([np.zeros_like(w) for w in dense.get_weights()])
    np.testing.assert_allclose(model.predict(np.ones((1, 3)), verbose=0), [[5.0]])


def test_without_standardize_targets_the_output_is_the_dense_layer():
    head = ak.RegressionHead(name="regression_head_1", standardize_targets=False)
    head.fit_targets(np.array([100.0, 300.0]))
    model = _model(head)
    assert head.target_mean is None
    assert isinstance(model.layers[-1], keras.layers.Dense) and model.layers[-1].name == head.name
