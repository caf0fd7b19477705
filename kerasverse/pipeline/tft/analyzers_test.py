import json

import numpy as np
import pytest

from kerasverse.pipeline import tft
from kerasverse.pipeline.tft.transform_output import analyze
from kerasverse.pipeline.tft.transform_output import apply_transform
from kerasverse.pipeline.tft.transform_output import save_transform

pytestmark = pytest.mark.host


def _batches(columns, size):
    n = len(next(iter(columns.values())))
    return lambda: ({k: v[i:i + size] for k, v in columns.items()} for i in range(0, n, size))


def test_analyzers_fit_over_batches_like_numpy_on_the_whole():
    rng = np.random.default_rng(0)
    x = rng.normal(5, 2, 1000)
    x[::17] = np.nan
    words = rng.choice(["b", "a", "c"], 1000, p=[0.5, 0.3, 0.2]).astype(object)
    columns = {"x": x, "w": words}

    def preprocessing_fn(inputs):
        return {
            "z": tft.scale_to_z_score(inputs["x"]),
            "u": tft.scale_to_0_1(inputs["x"]),
            "w": tft.compute_and_apply_vocabulary(inputs["w"], vocab_filename="w"),
            "b": tft.bucketize(inputs["x"], num_buckets=4),
        }

    values, names = analyze(preprocessing_fn, _batches(columns, 128))
    out = apply_transform(preprocessing_fn, values, columns)
    finite = ~np.isnan(x)
    np.testing.assert_allclose(out["z"][finite], ((x - np.nanmean(x)) / np.nanstd(x))[finite], rtol=1e-5)
    np.testing.assert_allclose(out["u"][finite], ((x - np.nanmin(x)) / (np.nanmax(x) - np.nanmin(x)))[finite], rtol=1e-5)
    assert "vocabulary/w" in names
    vocabulary = values[names.index("vocabulary/w")]
    assert vocabulary == ["b", "a", "c"]  # Most frequent first.
    np.testing.assert_array_equal(out["w"], [vocabulary.index(w) for w in words])
    counts = np.bincount(out["b"][finite], minlength=4)
    assert counts.min() >= 0.2 * finite.sum()  # Quantile buckets are near equal.
    assert out["z"].dtype == np.float32 and out["w"].dtype == np.int64


def test_nested_analyzers_take_another_pass():
    x = np.arange(100, dtype=np.float64)
    calls = []

    def preprocessing_fn(inputs):
        calls.append(1)
        z = tft.scale_to_z_score(inputs["x"])
        return {"m": z - tft.mean(z), "v": tft.var(z) + 0 * z}

    values, _ = analyze(preprocessing_fn, _batches({"x": x}, 30))
    out = apply_transform(preprocessing_fn, values, {"x": x})
    assert len(calls) == 9  # Two passes over 4 batches, then one apply.
    np.testing.assert_allclose(out["v"], 1.0, rtol=1e-6)
    np.testing.assert_allclose(out["m"].mean(), 0.0, atol=1e-6)


def test_oov_and_saved_transform_round_trip(tmp_path):
    module = tmp_path / "module.py"
    module.write_text(
        "from kerasverse.pipeline import tft\n"
        "def preprocessing_fn(inputs):\n"
        "    return {'w': tft.compute_and_apply_vocabulary(inputs['w'], num_oov_buckets=2, vocab_filename='w'),\n"
        "            'x': tft.scale_to_z_score(inputs['x'])}\n"
    )
    from kerasverse.pipeline.tft.module_loader import load_fn

    fn = load_fn("Transform", "preprocessing_fn", module_file=str(module))
    columns = {"w": np.array(["a", "a", "b"], dtype=object), "x": np.array([1.0, 2.0, 3.0])}
    values, names = analyze(fn, _batches(columns, 2))
    save_transform(str(tmp_path / "graph"), str(module), "preprocessing_fn", values, names,
                   {"w": {"dtype": "string", "shape": []}, "x": {"dtype": "float32", "shape": []}}, {})
    json.loads((tmp_path / "graph" / "transform" / "transform.json").read_text())
    output = tft.TFTransformOutput(str(tmp_path / "graph"))
    result = output.transform_raw_features([{"w": "a", "x": 2.0}, {"w": "zzz", "x": 4.0}])
    assert result["w"][0] == 0 and result["w"][1] in (2, 3)
    np.testing.assert_allclose(result["x"], [0.0, 2.0 / np.std([1.0, 2.0, 3.0])], rtol=1e-6)
    assert output.vocabulary_by_name("w") == ["a", "b"]
    with pytest.raises(ValueError, match="Feature 'x' is missing from the request"):
        output.transform_raw_features([{"w": "a"}])
    with pytest.raises(ValueError, match="No vocabulary named 'nope'"):
        output.vocabulary_by_name("nope")


def test_analyzer_outside_a_transform_is_a_clear_error():
    with pytest.raises(ValueError, match="only work inside a preprocessing_fn"):
        tft.mean(np.ones(3))
