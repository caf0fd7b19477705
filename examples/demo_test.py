import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

import demo  # noqa: E402


def test_demo_without_export_trains_a_useful_model(tmp_path, capsys):
    rows = demo.main(["--out", str(tmp_path), "--stages", "tune", "--trials", "2", "--epochs", "3"])
    assert float(rows[0]["accuracy"]) > 0.85
    out = capsys.readouterr().out
    assert "Summary" in out and "keras (tuned, float32)" in out
    assert os.path.exists(tmp_path / "tuner_report.html")


@pytest.mark.slow
def test_full_demo_exports_verified_artifacts(tmp_path):
    rows = demo.main(["--out", str(tmp_path), "--trials", "2", "--epochs", "3",
                      "--stages", "tune,optimize,export"])
    by_name = {row["artifact"]: row for row in rows}
    assert float(by_name["keras (pruned, float32)"]["accuracy"]) > 0.85
    for name in ("tfjs (node)", "onnx (onnxruntime)", "litert float32"):
        assert by_name[name]["accuracy"] != "skipped", by_name[name]
        assert float(by_name[name]["max |diff|"]) < 1e-4, by_name[name]
    assert float(by_name["litert int8"]["top-1 agree"]) >= 0.95
    kvz, keras_file = by_name["kvz (pruned, int8)"], by_name["keras (pruned, float32)"]
    assert float(kvz["top-1 agree"]) >= 0.95
    assert float(kvz["size KB"]) < float(keras_file["size KB"]) / 5

