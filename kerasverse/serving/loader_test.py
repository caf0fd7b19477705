"""Loading version folders: safe mode, .kvz, ONNX files and ONNX Runtime for .keras models."""

import os

import keras
import numpy as np
import pytest

from kerasverse.serving import LoadOptions
from kerasverse.serving import load_version
from kerasverse.serving.conftest import images
from kerasverse.serving.conftest import save_version
from kerasverse.serving.conftest import small_model
from kerasverse.serving.loader import find_model_file


def _lambda_model():
    inputs = keras.Input((4,), name="x")
    return keras.Model(inputs, keras.layers.Lambda(lambda t: t * 2.0, name="double")(inputs))


def test_lambda_is_refused_unless_unsafe(tmp_path):
    folder = save_version(str(tmp_path), 1, _lambda_model())
    with pytest.raises(ValueError, match="Refused to load 'model.keras' with safe_mode=True.*--unsafe_deserialization"):
        load_version(folder)
    runtime = load_version(folder, LoadOptions(unsafe_deserialization=True))
    np.testing.assert_allclose(runtime.predict_batch({"x": np.ones((2, 4), "float32")})["double"], 2.0)


def test_incomplete_folders_have_no_model_file(tmp_path):
    assert find_model_file(str(tmp_path)) is None
    (tmp_path / "model.keras").write_bytes(b"PK\x03\x04 truncated")
    assert find_model_file(str(tmp_path)) is None
    with pytest.raises(ValueError, match=r"No complete model file .* expected one of \*.keras, \*.kvz, \*.onnx, \*.tflite"):
        load_version(str(tmp_path))
    (tmp_path / "transform").mkdir()
    small_model().save(str(tmp_path / "model.keras"))
    assert find_model_file(str(tmp_path)) is None  # transform/ without transform.json: still being written.


def test_kvz_file(tmp_path):
    from kerasverse.optimize import save_compressed

    model = small_model()
    os.makedirs(tmp_path / "1")
    save_compressed(model, str(tmp_path / "1" / "model.kvz"))
    runtime = load_version(str(tmp_path / "1"))
    x = images(3)
    np.testing.assert_allclose(runtime.predict_batch({"image": x})["probs"], model.predict(x, verbose=0), atol=1e-2)


@pytest.mark.skipif(
    keras.config.backend() != "torch",
    reason="ONNX export from JAX rebuilds the model under torch in a child process (~1-2 min here); the torch run covers this path",
)
def test_onnx_runtime_for_keras_and_onnx_files(tmp_path):
    import shutil

    model = small_model()
    x = images(4)
    expected = model.predict(x, verbose=0)
    folder = save_version(str(tmp_path), 3, model)
    converted = load_version(folder, LoadOptions(runtime="onnx"))  # Exported at load, verified on a probe batch.
    assert converted.name == "onnxruntime"
    assert list(converted.inputs) == ["image"] and list(converted.outputs) == ["probs"]
    np.testing.assert_allclose(converted.predict_batch({"image": x})["probs"], expected, atol=1e-5)

    os.makedirs(tmp_path / "4")
    shutil.copyfile(converted._model.filepath, tmp_path / "4" / "model.onnx")
    runtime = load_version(str(tmp_path / "4"))
    assert runtime.name == "onnxruntime"
    (name,) = runtime.inputs
    np.testing.assert_allclose(runtime.predict_batch({name: x})[next(iter(runtime.outputs))], expected, atol=1e-5)

