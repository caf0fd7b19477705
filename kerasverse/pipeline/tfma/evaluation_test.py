import numpy as np
import pytest

from kerasverse.pipeline import tfma

pytestmark = pytest.mark.host


def _config(lower=0.6, absolute=-1e-10):
    return tfma.EvalConfig(
        model_specs=[tfma.ModelSpec(label_key="y")],
        slicing_specs=[tfma.SlicingSpec(), tfma.SlicingSpec(feature_keys=["g"])],
        metrics_specs=[tfma.MetricsSpec(metrics=[
            tfma.MetricConfig(class_name="ExampleCount"),
            tfma.MetricConfig(class_name="SparseCategoricalAccuracy", threshold=tfma.MetricThreshold(
                value_threshold=tfma.GenericValueThreshold(lower_bound={"value": lower}),
                change_threshold=tfma.GenericChangeThreshold(
                    direction=tfma.MetricDirection.HIGHER_IS_BETTER, absolute={"value": absolute}))),
        ])])


def test_metrics_per_slice_match_a_hand_count():
    labels = np.array([0, 1, 1, 0])
    predictions = np.array([[0.9, 0.1], [0.2, 0.8], [0.7, 0.3], [0.6, 0.4]])
    raw = {"g": np.array(["a", "a", "b", "b"], dtype=object)}
    metrics = tfma.compute_metrics(_config(), raw, labels, predictions)
    assert metrics["Overall"] == {"example_count": 4.0, "sparse_categorical_accuracy": 0.75}
    assert metrics["g:a"]["sparse_categorical_accuracy"] == 1.0
    assert metrics["g:b"]["sparse_categorical_accuracy"] == 0.5


def test_value_and_change_thresholds():
    candidate = {"Overall": {"sparse_categorical_accuracy": 0.7}}
    assert tfma.validate(_config(), candidate, None) == {
        "validation_ok": True, "failures": [], "change_thresholds_skipped": True}
    assert not tfma.validate(_config(lower=0.8), candidate, None)["validation_ok"]
    assert tfma.validate(_config(), candidate, candidate)["validation_ok"]  # Equal is not worse.
    worse = tfma.validate(_config(), candidate, {"Overall": {"sparse_categorical_accuracy": 0.71}})
    assert not worse["validation_ok"] and worse["failures"][0]["kind"] == "change"


def test_numpy_metrics_equal_keras_metrics():
    import keras

    rng = np.random.default_rng(0)
    labels = rng.integers(0, 3, 50)
    predictions = rng.dirichlet(np.ones(3), 50).astype(np.float32)
    weights = rng.random(50)
    config = tfma.EvalConfig(metrics_specs=[tfma.MetricsSpec(metrics=[
        tfma.MetricConfig(class_name="SparseCategoricalAccuracy")])])
    regression_config = tfma.EvalConfig(metrics_specs=[tfma.MetricsSpec(metrics=[
        tfma.MetricConfig(class_name="MeanSquaredError")])])
    ours = tfma.compute_metrics(config, {}, labels, predictions,
                                weights)["Overall"]
    accuracy = keras.metrics.SparseCategoricalAccuracy()
    accuracy.update_state(labels, predictions, sample_weight=weights)
    assert ours["sparse_categorical_accuracy"] == pytest.approx(float(accuracy.result()), rel=1e-6)
    regression = tfma.compute_metrics(regression_config, {}, predictions[:, 0], predictions[:, 1], None)["Overall"]
    mse = keras.metrics.MeanSquaredError()
    mse.update_state(predictions[:, 0], predictions[:, 1])
    assert regression["mean_squared_error"] == pytest.approx(float(mse.result()), rel=1e-5)
