"""The exported model of each task goes through kerasverse.export (ONNX, run in onnxruntime)."""

import numpy as np
import pytest
from sklearn.datasets import load_diabetes
from sklearn.datasets import load_digits

import kerasverse.automl as ak
from kerasverse.automl.tasks.text_test import generated_text


@pytest.mark.slow
def test_each_task_exports_to_onnx_and_matches_keras(tmp_path):
    pytest.importorskip("onnxruntime")
    from kerasverse.export import onnx

    x, y = load_digits(return_X_y=True)
    images = x.reshape(-1, 8, 8).astype("float32")[:200]
    table_x, table_y = load_diabetes(return_X_y=True)
    texts, labels = generated_text(0, n=200)
    series = np.sin(np.arange(300) / 3.0)
    tasks = [
        (ak.ImageClassifier, (images, y[:200]), images[:16, ..., None]),
        (ak.StructuredDataRegressor, (table_x[:200], table_y[:200]), None),
        (ak.TextClassifier, (texts, labels), None),
        (lambda **kw: ak.TimeseriesForecaster(lookback=8, **kw), (series[:, None], series), None),
    ]
    for index, (task, (x_train, y_train), sample) in enumerate(tasks):
        model = task(max_trials=1, overwrite=True, seed=0, directory=str(tmp_path / str(index)))
        model.fit(x_train, y_train, epochs=1, verbose=0)
        exported = model.export_model()
        if isinstance(exported, ak.PreprocessedModel):
            # The functional model on encoded inputs; the encoders stay on the host.
            sample = exported.encode(x_train[:16])
            exported = exported.model
        elif sample is None:
            sample = model._transform(model._x_list(x_train))[0][:16]
        path = str(tmp_path / f"task{index}.onnx")
        onnx.export(exported, path)
        report = onnx.verify(exported, path, sample)
        assert report["max_abs_diff"] < 1e-3, (index, report)
