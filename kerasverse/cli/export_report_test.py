import argparse

import keras
import numpy as np
import pytest

from kerasverse.cli import export_litert
from kerasverse.cli import export_onnx
from kerasverse.cli import export_report


def _parser():
    parser = argparse.ArgumentParser()
    subparsers = parser.add_subparsers()
    for module in (export_litert, export_onnx, export_report):
        module.register(subparsers)
    return parser


def test_sub_verbs_parse():
    args = _parser().parse_args(
        [
            "litert",
            "m.keras",
            "m.tflite",
            "--quantization",
            "int8",
            "--io-dtype",
            "uint8",
        ]
    )
    assert (args.quantization, args.io_dtype, args.func) == (
        "int8",
        "uint8",
        export_litert.run,
    )
    args = _parser().parse_args(["onnx", "m.keras", "m.onnx", "--batch-size", "4"])
    assert args.batch_size == 4
    assert _parser().parse_args(["report", "m.keras", "--repeat", "3"]).repeat == 3


def test_int8_without_data_fails_before_converting(tmp_path):
    path = str(tmp_path / "m.keras")
    keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)]).save(path)
    args = _parser().parse_args(
        ["litert", path, str(tmp_path / "m.tflite"), "--quantization", "int8"]
    )
    with pytest.raises(ValueError, match="needs `representative_data`"):
        args.func(args)


def test_load_model_rejects_missing_and_non_keras_files(tmp_path):
    with pytest.raises(SystemExit, match="no model file"):
        export_litert.load_model(str(tmp_path / "none.keras"))
    bad = tmp_path / "bad.keras"
    bad.write_text("not a zip")
    with pytest.raises(SystemExit, match="is not a .keras file"):
        export_litert.load_model(str(bad))


def test_format_report_aligns_rows():
    rows = [
        export_report._row(
            "LiteRT int8",
            2048,
            8192,
            {"max_abs_diff": 0.01, "top1_agreement": 1.0},
            0.5,
            0.001,
        )
    ]
    text = export_report.format_report(rows, title="t")
    lines = text.splitlines()
    assert lines[0] == "t"
    assert "| LiteRT int8 | 2.0 KiB | 0.25x    | 1.00e-02 | 100.0%" in lines[3]
    assert len({len(line) for line in lines[1:]}) == 1


def test_random_inputs_follow_model_inputs():
    model = keras.Sequential([keras.Input((4, 2)), keras.layers.Flatten()])
    x = export_report.random_inputs(model, 5)
    assert x.shape == (5, 4, 2) and x.dtype == np.float32


@pytest.mark.slow
def test_report_end_to_end_for_litert(tmp_path, capsys):
    pytest.importorskip("ai_edge_litert")
    import importlib.util

    if importlib.util.find_spec("tensorflow") is None:
        pytest.skip("needs the [litert] extra")
    from kerasverse.export.litert.conftest import blob_data
    from kerasverse.export.litert.conftest import tiny_classifier

    model_path, data_path, labels_path = (
        str(tmp_path / name) for name in ("m.keras", "x.npy", "y.npy")
    )
    tiny_classifier().save(model_path)
    x, y = blob_data(40, seed=5)
    np.save(data_path, x)
    np.save(labels_path, y)
    argv = [
        "report",
        model_path,
        "--data",
        data_path,
        "--labels",
        labels_path,
        "--repeat",
        "2",
        "--skip",
        "onnx",
    ]
    args = _parser().parse_args(argv)
    assert args.func(args) == 0
    lines = capsys.readouterr().out.splitlines()
    names = [
        line.split("|")[1].strip()
        for line in lines
        if line.startswith("| ") and "artifact" not in line
    ]
    assert names[1:] == [
        "LiteRT float32",
        "LiteRT dynamic",
        "LiteRT float16",
        "LiteRT int8",
        "LiteRT int8 per-tensor",
    ]
    int8_row = next(line for line in lines if "LiteRT int8" in line)
    assert "100.0%" in int8_row
