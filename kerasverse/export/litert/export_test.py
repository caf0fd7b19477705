import os

import keras
import numpy as np
import pytest

from kerasverse.export import litert
from kerasverse.export.litert.conftest import NEEDS_LITERT
from kerasverse.export.litert.conftest import blob_data


def _model():
    return keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])


def test_int8_without_representative_data_is_refused():
    with pytest.raises(
        ValueError,
        match="needs `representative_data`.*Received: representative_data=None",
    ):
        litert.export(_model(), "m.tflite", quantization="int8")


def test_unknown_quantization_is_refused():
    with pytest.raises(ValueError, match="Received: quantization='int4'"):
        litert.export(_model(), "m.tflite", quantization="int4")


def test_file_name_must_end_with_tflite():
    with pytest.raises(
        ValueError, match=r"must end with '.tflite'. Received: filepath='m.onnx'"
    ):
        litert.export(_model(), "m.onnx")


def test_io_dtype_is_checked():
    with pytest.raises(ValueError, match="Received: io_dtype='int16'"):
        litert.export(
            _model(),
            "m.tflite",
            quantization="int8",
            representative_data=np.ones((2, 4)),
            io_dtype="int16",
        )


def test_representative_data_shape_is_checked():
    with pytest.raises(
        ValueError, match=r"shape \(num_samples, 4\). Received: shape \(2, 5\)"
    ):
        litert.export(
            _model(),
            "m.tflite",
            quantization="int8",
            representative_data=np.ones((2, 5)),
        )


@NEEDS_LITERT
def test_float_export_matches_keras(converted):
    report = litert.verify(converted.model, converted.paths["float32"], converted.x)
    assert report["max_abs_diff"] <= 1e-4
    assert report["top1_agreement"] == 1.0


@NEEDS_LITERT
@pytest.mark.parametrize("name,max_diff", [("dynamic", 0.05), ("float16", 1e-3)])
def test_weight_quantized_exports_stay_close(converted, name, max_diff):
    report = litert.verify(converted.model, converted.paths[name], converted.x)
    assert report["max_abs_diff"] <= max_diff
    assert report["top1_agreement"] >= 0.99
    assert litert.LiteModel(converted.paths[name]).input_specs[0][2] == "float32"


@NEEDS_LITERT
def test_int8_is_full_integer(converted):
    lite = litert.LiteModel(converted.paths["int8"])
    assert [spec[2] for spec in lite.input_specs + lite.output_specs] == [
        "int8",
        "int8",
    ]
    interpreter = lite._interpreter
    tensors = {d["index"]: d for d in interpreter.get_tensor_details()}
    op_names = set()
    for op in interpreter._get_ops_details():
        op_names.add(op["op_name"])
        for index in list(op["inputs"]) + list(op["outputs"]):
            if index >= 0:
                assert np.dtype(tensors[index]["dtype"]).kind in "iu", (
                    op["op_name"],
                    tensors[index],
                )
    assert {"CONV_2D", "FULLY_CONNECTED"} <= op_names


@NEEDS_LITERT
def test_int8_agrees_with_keras_and_keeps_accuracy(converted):
    report = litert.verify(converted.model, converted.paths["int8"], converted.x)
    assert report["top1_agreement"] >= 0.99
    keras_accuracy = np.mean(
        np.argmax(converted.model.predict(converted.x, verbose=0), -1) == converted.y
    )
    lite_accuracy = np.mean(
        np.argmax(litert.LiteModel(converted.paths["int8"]).predict(converted.x), -1)
        == converted.y
    )
    assert keras_accuracy >= 0.95
    assert lite_accuracy >= keras_accuracy - 0.01


@NEEDS_LITERT
def test_quantized_files_are_smaller(converted):
    size = {name: os.path.getsize(path) for name, path in converted.paths.items()}
    assert size["float16"] < 0.6 * size["float32"]
    assert size["dynamic"] < 0.4 * size["float32"]
    assert size["int8"] < 0.4 * size["float32"]


@NEEDS_LITERT
@pytest.mark.slow
def test_uint8_io_and_unsupported_int8_op(tmp_path):
    from kerasverse.export.litert.conftest import tiny_classifier

    model = tiny_classifier()
    x, _ = blob_data(32, seed=3)
    path = litert.export(
        model,
        tmp_path / "u8.tflite",
        quantization="int8",
        representative_data=x,
        io_dtype="uint8",
    )
    lite = litert.LiteModel(path)
    assert lite.input_specs[0][2] == "uint8"
    assert litert.verify(model, path, x)["top1_agreement"] >= 0.95

    # ELU has no int8 kernel: the converter would silently keep it in float.
    with_elu = keras.Sequential(
        [keras.Input((4,)), keras.layers.Dense(4), keras.layers.Activation("elu")]
    )
    with pytest.raises(
        ValueError,
        match="no int8 builtin kernel for these ops: ELU.*Use quantization='dynamic'",
    ):
        litert.export(
            with_elu,
            tmp_path / "bad.tflite",
            quantization="int8",
            representative_data=np.ones((4, 4)),
        )
    assert not (tmp_path / "bad.tflite").exists()


@NEEDS_LITERT
@pytest.mark.slow
def test_int8_honours_ranges_learned_by_qat(tmp_path):
    # tfmot's flow: the QAT model itself goes to the converter ("dynamic" and
    # "int8"); its learned ranges become the int8 ranges.
    quantization = pytest.importorskip("kerasverse.optimize.quantization")
    from kerasverse.export.litert.conftest import tiny_classifier

    x, y = blob_data(96, seed=0)
    qat = quantization.quantize_model(tiny_classifier())
    qat.compile(keras.optimizers.Adam(1e-3), "sparse_categorical_crossentropy")
    qat.fit(x, y, epochs=1, verbose=0)
    plain = quantization.strip_qat(qat)
    ranges = quantization.get_quantization_ranges(plain)
    path, dynamic = litert.export_many(
        qat,
        {tmp_path / "qat.tflite": "int8", tmp_path / "qat_dynamic.tflite": "dynamic"},
        representative_data=x[:32],
    )
    scales = {
        round(float(d["quantization"][0]), 6)
        for d in litert.LiteModel(path)._interpreter.get_tensor_details()
        if d["quantization"][0]
    }
    # Each learned (min, max) becomes a tensor scale of (max - min) / 255.
    # Layer names depend on what the session built before, so look them up.
    for kind in (keras.layers.Conv2D, keras.layers.Dense):
        name = next(layer.name for layer in plain.layers if isinstance(layer, kind))
        low, high = ranges[name]["outputs"]
        assert round((high - low) / 255, 6) in scales, (name, ranges[name], scales)
    assert litert.verify(plain, path, x)["top1_agreement"] >= 0.95
    assert litert.verify(plain, dynamic, x)["top1_agreement"] >= 0.95


def test_keras_int8_layers_are_refused_with_their_names():
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, name="head")])
    model.quantize("int8")
    with pytest.raises(ValueError, match=r"Layers \['head'\].*model.quantize\('int8'\)"):
        litert.export(model, "m.tflite", quantization="dynamic")


@NEEDS_LITERT
@pytest.mark.slow
def test_multi_input_model_keeps_input_order(tmp_path):
    first, second = keras.Input((4,), name="zeta"), keras.Input((3,), name="alpha")
    hidden = keras.layers.Concatenate()(
        [keras.layers.Dense(5)(first), keras.layers.Dense(5, activation="relu")(second)]
    )
    model = keras.Model(
        [first, second], keras.layers.Dense(3, activation="softmax")(hidden)
    )
    rng = np.random.default_rng(0)
    x = [
        rng.uniform(size=(40, 4)).astype("float32"),
        rng.uniform(size=(40, 3)).astype("float32"),
    ]
    paths = litert.export_many(
        model,
        {tmp_path / "multi.tflite": None, tmp_path / "multi8.tflite": "int8"},
        representative_data=x,
    )
    assert [spec[1] for spec in litert.LiteModel(paths[0]).input_specs] == [
        (None, 4),
        (None, 3),
    ]
    assert litert.verify(model, paths[0], x)["max_abs_diff"] <= 1e-4
    assert litert.verify(model, paths[1], x)["top1_agreement"] >= 0.95


def _per_channel_scale_counts(path):
    """Number of scales of each quantized constant (weight/bias) tensor of a `.tflite` file."""
    from ai_edge_litert import schema_py_generated as schema

    with open(path, "rb") as f:
        model = schema.ModelT.InitFromPackedBuf(bytearray(f.read()), 0)
    counts = []
    for tensor in model.subgraphs[0].tensors:
        data = model.buffers[tensor.buffer].data
        if data is not None and len(data) and tensor.quantization is not None:
            if tensor.quantization.scale is not None:
                counts.append(len(tensor.quantization.scale))
    return counts


@NEEDS_LITERT
def test_int8_file_stores_repeated_vectors_once(converted, tmp_path):
    import flatbuffers
    from ai_edge_litert import schema_py_generated as schema

    path = converted.paths["int8"]
    with open(path, "rb") as f:
        model = schema.ModelT.InitFromPackedBuf(bytearray(f.read()), 0)
    # Written again without sharing: every tensor gets its own vectors.
    builder = flatbuffers.Builder(1024)
    builder.Finish(model.Pack(builder), file_identifier=b"TFL3")
    unshared = tmp_path / "unshared.tflite"
    unshared.write_bytes(bytes(builder.Output()))
    assert os.path.getsize(path) < os.path.getsize(unshared)
    assert max(_per_channel_scale_counts(path)) > 1  # Per-channel scales.
    np.testing.assert_array_equal(
        litert.LiteModel(path).predict(converted.x),
        litert.LiteModel(unshared).predict(converted.x),
    )


def test_export_many_rejects_unknown_per_file_options(tmp_path):
    with pytest.raises(ValueError, match=r"only 'quantization' and 'per_channel'.*\['bits'\]"):
        litert.export_many(
            _model(),
            {tmp_path / "m.tflite": {"quantization": "int8", "bits": 4}},
            representative_data=np.zeros((4, 4), "float32"),
        )


@NEEDS_LITERT
@pytest.mark.slow
def test_per_tensor_int8_is_smaller_and_still_agrees(converted, tmp_path):
    x_train, _ = blob_data(64, seed=1)
    # Per-file options of `export_many` set per_channel for this file only.
    (path,) = litert.export_many(
        converted.model,
        {tmp_path / "per_tensor.tflite": {"quantization": "int8", "per_channel": False}},
        representative_data=x_train,
    )
    assert set(_per_channel_scale_counts(path)) == {1}
    assert os.path.getsize(path) < os.path.getsize(converted.paths["int8"])
    assert litert.verify(converted.model, path, converted.x)["top1_agreement"] >= 0.95
