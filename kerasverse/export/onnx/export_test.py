import os

import keras
import numpy as np
import pytest

from kerasverse.export import onnx


def _model():
    return keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])


def test_float_export_matches_keras(exported):
    report = onnx.verify(exported.model, exported.paths["float32"], exported.x)
    assert report["max_abs_diff"] <= 1e-4
    assert report["top1_agreement"] == 1.0
    assert onnx.OnnxModel(exported.paths["float32"]).input_specs[0][1] == (
        None,
        12,
        12,
        1,
    )


def test_int8_is_smaller_and_agrees(exported):
    assert os.path.getsize(exported.paths["int8"]) < 0.5 * os.path.getsize(
        exported.paths["float32"]
    )
    report = onnx.verify(exported.model, exported.paths["int8"], exported.x)
    assert report["top1_agreement"] >= 0.99
    assert report["max_abs_diff"] < 0.05
    import onnx as onnx_proto

    op_types = {
        node.op_type for node in onnx_proto.load(exported.paths["int8"]).graph.node
    }
    assert op_types & {"ConvInteger", "MatMulInteger", "DynamicQuantizeLinear"}


def test_arguments_are_checked():
    with pytest.raises(
        ValueError, match="must end with '.onnx'. Received: filepath='m.tflite'"
    ):
        onnx.export(_model(), "m.tflite")
    with pytest.raises(ValueError, match="Received: quantization='int4'"):
        onnx.export(_model(), "m.onnx", quantization="int4")
    with pytest.raises(ValueError, match="Received: 0"):
        onnx.export(_model(), "m.onnx", batch_size=0)
    with pytest.raises(ValueError, match="Received: via='tf'"):
        onnx.export(_model(), "m.onnx", via="tf")


@pytest.mark.slow
def test_fixed_batch_and_int8_in_one_call(tmp_path, exported):
    path = onnx.export(
        exported.model, tmp_path / "fixed.onnx", batch_size=8, quantization="int8"
    )
    runner = onnx.OnnxModel(path)
    assert runner.input_specs[0][1] == (8, 12, 12, 1)
    # 100 samples in batches of 8: the last batch is padded and trimmed.
    outputs = runner.predict(exported.x)
    assert outputs.shape == (100, 3)
    expected = exported.model.predict(exported.x, verbose=0)
    assert np.mean(np.argmax(outputs, -1) == np.argmax(expected, -1)) >= 0.99
