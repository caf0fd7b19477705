"""Every task's exported model goes through kerasverse.export and kerasverse.optimize unchanged.

One test per task: the model `export_model()` returns (its `.model` on encoded inputs, for the
`PreprocessedModel` of text and tables) is exported to ONNX, TF.js and LiteRT and each file is
run in its real runtime (onnxruntime, TF.js in Node, the LiteRT interpreter) against Keras; then
it is pruned to 50% with `kerasverse.optimize.sparsity`, stripped, saved and loaded with
`save_compressed`/`load_compressed`, and (for text and tables) put back into a
`PreprocessedModel` that predicts on raw inputs.
"""

import json

import numpy as np
import pytest
from sklearn.datasets import load_diabetes
from sklearn.datasets import load_digits
from sklearn.datasets import load_wine

import kerasverse.automl as ak
from kerasverse.automl.tasks.text_test import generated_text
from kerasverse.export.litert.conftest import NEEDS_LITERT
from kerasverse.export.tfjs.runtime import NodeRuntime

MISSING_NODE = NodeRuntime().missing()


def _digits():
    x, y = load_digits(return_X_y=True)
    return x.reshape(-1, 8, 8).astype("float32")[:200], y[:200]


def _task_data(name):
    if name == "ImageClassifier":
        return ak.ImageClassifier, _digits()
    if name == "ImageRegressor":
        images, y = _digits()
        return ak.ImageRegressor, (images, y.astype("float32"))
    if name == "StructuredDataClassifier":
        x, y = load_wine(return_X_y=True)
        return ak.StructuredDataClassifier, (x, y)
    if name == "StructuredDataRegressor":
        x, y = load_diabetes(return_X_y=True)
        return ak.StructuredDataRegressor, (x[:200], y[:200])
    if name == "TextClassifier":
        return ak.TextClassifier, generated_text(0, n=200)
    if name == "TextRegressor":
        texts, labels = generated_text(1, n=200)
        return ak.TextRegressor, (texts, (np.asarray(labels) == "pos").astype("float32"))
    series = np.sin(np.arange(300) / 3.0) + 0.05 * np.random.default_rng(0).standard_normal(300)
    return (lambda **kwargs: ak.TimeseriesForecaster(lookback=8, **kwargs)), (series[:, None], series)


TASKS = ["ImageClassifier", "ImageRegressor", "StructuredDataClassifier", "StructuredDataRegressor",
         "TextClassifier", "TextRegressor", "TimeseriesForecaster"]


@pytest.mark.slow
@pytest.mark.requires_node
@pytest.mark.requires_tensorflow
@pytest.mark.skipif(MISSING_NODE is not None, reason=f"TF.js runtime absent: {MISSING_NODE}")
@NEEDS_LITERT
@pytest.mark.parametrize("name", TASKS)
def test_task_export_runs_in_every_runtime_and_prunes(name, tmp_path):
    pytest.importorskip("onnxruntime")
    from kerasverse import optimize
    from kerasverse.export import litert
    from kerasverse.export import onnx
    from kerasverse.export import tfjs

    task, (x_train, y_train) = _task_data(name)
    automodel = task(max_trials=1, overwrite=True, seed=0, directory=str(tmp_path / "search"))
    automodel.fit(x_train, y_train, epochs=1, verbose=0)
    exported = automodel.export_model()
    preprocessed = isinstance(exported, ak.PreprocessedModel)
    assert preprocessed == name.startswith(("Text", "Structured")), type(exported)
    if preprocessed:
        model, sample = exported.model, exported.encode(x_train[:16])
    elif name.startswith("Image"):
        model, sample = exported, x_train[:16, ..., None]  # the export takes (batch, 8, 8, 1)
    else:
        model, sample = exported, automodel._transform(automodel._x_list(x_train))[0][:16]

    # kerasverse.export: each file in its runtime, against Keras.
    onnx.export(model, str(tmp_path / "model.onnx"))
    assert onnx.verify(model, str(tmp_path / "model.onnx"), sample)["max_abs_diff"] < 1e-4
    tokenizer = exported.tokenizer if preprocessed else None
    assert (tokenizer is not None) == name.startswith("Text")
    tfjs.save_model(model, str(tmp_path / "tfjs"), tokenizer=tokenizer)
    result = tfjs.verify(model, str(tmp_path / "tfjs"), sample)
    assert result.max_abs_diff < 1e-4, result
    if tokenizer is not None:
        # Raw text in the browser: kerasverse-layers.js' tokenizer, on the files written beside
        # model.json, gives the ids the host-side encoder gives (padded to the input length).
        with open(tmp_path / "tfjs" / "tokenizer.json") as file:
            options = json.load(file)
        task = {"op": "tokenize", "companion": str(tmp_path / "tfjs" / "kerasverse-layers.js"),
                "vocabulary_file": str(tmp_path / "tfjs" / "vocab.txt"), "options": options,
                "texts": list(x_train[:16])}
        (js,) = NodeRuntime().run([task])
        js_ids = np.zeros_like(sample)
        for row, ids in enumerate(js["ids"]):
            ids = ids[: sample.shape[1]]
            js_ids[row, : len(ids)] = ids
        np.testing.assert_array_equal(js_ids, sample)
    litert.export(model, str(tmp_path / "model.tflite"))
    assert litert.verify(model, str(tmp_path / "model.tflite"), sample)["max_abs_diff"] < 1e-4

    # kerasverse.optimize: prune to 50%, fine-tune toward the model's own outputs, strip, compress.
    sparsity = optimize.sparsity
    encoded = exported.encode(x_train) if preprocessed else (
        x_train[..., None] if name.startswith("Image") else automodel._transform(automodel._x_list(x_train))[0])
    targets = np.asarray(model.predict(encoded, verbose=0))
    pruned = sparsity.prune_low_magnitude(
        model, pruning_schedule=sparsity.ConstantSparsity(0.5, begin_step=0, frequency=1))
    pruned.compile("adam", "mse")
    pruned.fit(encoded, targets, epochs=1, batch_size=32, verbose=0, callbacks=[sparsity.UpdatePruningStep()])
    stripped = sparsity.strip_pruning(pruned)
    report = optimize.summary(stripped)
    assert 0.45 <= report.total_sparsity <= 0.55, str(report)
    path = str(tmp_path / "pruned.kvz")
    optimize.save_compressed(stripped, path)
    loaded = optimize.load_compressed(path, custom_objects=ak.CUSTOM_OBJECTS)
    pruned_outputs = np.asarray(stripped.predict(sample, verbose=0))
    np.testing.assert_allclose(np.asarray(loaded.predict(sample, verbose=0)), pruned_outputs, atol=1e-6)
    zeros = [int(np.sum(np.asarray(w) == 0)) for m in (model, stripped) for w in m.get_weights()]
    half = len(zeros) // 2
    assert sum(zeros[half:]) > sum(zeros[:half])  # the model it was given was pruned, not a copy
    if preprocessed:
        # The pruned model goes back behind the encoders: raw strings and rows in.
        raw = ak.PreprocessedModel(loaded, exported.encoders)
        np.testing.assert_allclose(np.asarray(raw.predict(x_train[:16], verbose=0)), pruned_outputs, atol=1e-6)
