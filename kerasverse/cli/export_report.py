"""`kerasverse export report MODEL.keras`: one table comparing Keras, LiteRT and ONNX artifacts.

For each artifact: file size (and ratio to the float32 file of the same
format), max abs difference and top-1 agreement with Keras, accuracy when
labels are given, and batch-1 latency (median of N after a warm-up).
"""

import os
import statistics
import tempfile
import time

LITERT_VARIANTS = (
    ("float32", None),
    ("dynamic", "dynamic"),
    ("float16", "float16"),
    ("int8", "int8"),
    ("int8 per-tensor", {"quantization": "int8", "per_channel": False}),
)
COLUMNS = (
    "artifact",
    "size",
    "size/f32",
    "max diff",
    "top-1 agree",
    "accuracy",
    "batch-1 latency",
)


def register(export_subparsers):
    parser = export_subparsers.add_parser(
        "report",
        help="export to LiteRT (each quantization) and ONNX, verify, time, and print one table",
        description="Export a .keras model to every device format and compare size, accuracy and latency.",
    )
    parser.add_argument("model", help="path of a .keras file")
    parser.add_argument(
        "--data", help=".npy/.npz inputs to compare on (default: 64 random samples)"
    )
    parser.add_argument(
        "--labels", help=".npy integer labels for --data, to report accuracy"
    )
    parser.add_argument(
        "--representative-data",
        help=".npy/.npz inputs for int8 calibration (default: --data)",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=20,
        help="timed batch-1 runs per artifact (median)",
    )
    parser.add_argument(
        "--output-dir", help="keep the artifacts here (default: a temporary directory)"
    )
    parser.add_argument(
        "--skip",
        nargs="*",
        default=[],
        choices=["litert", "onnx"],
        help="formats to leave out",
    )
    parser.set_defaults(func=run)


def run(args):
    import numpy as np

    from kerasverse.cli.export_litert import load_arrays
    from kerasverse.cli.export_litert import load_model

    model = load_model(args.model)
    x = load_arrays(args.data)
    if x is None:
        x = random_inputs(model, 64, seed=0)
        print(
            "note: no --data given: differences are measured on 64 random inputs (uniform in [0, 1))."
        )
    labels = np.load(args.labels) if args.labels else None
    representative = load_arrays(args.representative_data)
    with tempfile.TemporaryDirectory(prefix="kerasverse-report-") as temporary:
        directory = args.output_dir or temporary
        rows = build_report(
            model,
            x,
            labels=labels,
            directory=directory,
            representative_data=representative,
            repeat=args.repeat,
            formats=[f for f in ("litert", "onnx") if f not in args.skip],
            keras_path=args.model,
        )
    print(
        format_report(
            rows, title=f"{os.path.basename(args.model)}: {len(_first(x))} samples"
        )
    )
    return 0


def random_inputs(model, num_samples, seed=0):
    import numpy as np

    rng = np.random.default_rng(seed)
    arrays = []
    for tensor in model.inputs:
        shape = (num_samples,) + tuple(
            int(d) if d is not None else 1 for d in tensor.shape[1:]
        )
        arrays.append(rng.uniform(0, 1, size=shape).astype(tensor.dtype))
    return arrays[0] if len(arrays) == 1 else arrays


def _first(x):
    return x[0] if isinstance(x, (list, tuple)) else x


def _take(x, count):
    return [a[:count] for a in x] if isinstance(x, (list, tuple)) else x[:count]


def median_latency(fn, repeat):
    """Median seconds of `repeat` calls of `fn` after one untimed warm-up call."""
    fn()
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def build_report(
    model,
    x,
    labels=None,
    directory=".",
    representative_data=None,
    repeat=20,
    formats=("litert", "onnx"),
    keras_path=None,
    num_calibration_samples=200,
):
    """Exports `model` to every device format, verifies and times each artifact.

    Args:
        model: a Keras model (any backend).
        x: inputs to compare on (array or list of arrays).
        labels: optional integer labels of `x`, for an accuracy column.
        directory: where the artifacts are written.
        representative_data: int8 calibration inputs (default: `x`).
        repeat: timed batch-1 runs per artifact.
        formats: subset of `("litert", "onnx")`.
        keras_path: the `.keras` file, for the Keras row's size (default: saved
            into `directory`).
        num_calibration_samples: int8 calibration samples used at most.

    Returns:
        A list of row dicts with the keys of `COLUMNS` plus raw numbers
        (`size_bytes`, `latency_s`, `max_abs_diff`, `top1_agreement`, `accuracy`).
    """
    import keras

    from kerasverse.export.litert.verify import compare_outputs

    os.makedirs(directory, exist_ok=True)
    if keras_path is None:
        keras_path = os.path.join(directory, "model.keras")
        model.save(keras_path)
    one = _take(x, 1)
    reference = model.predict(x, batch_size=32, verbose=0)
    rows = [
        _row(
            f"Keras ({keras.config.backend()}) predict",
            os.path.getsize(keras_path),
            None,
            None,
            _accuracy(reference, labels),
            median_latency(lambda: model.predict(one, verbose=0), repeat),
        )
    ]
    if "litert" in formats:
        from kerasverse.export import litert

        files = {
            os.path.join(directory, f"model_{name.replace(' ', '_')}.tflite"): quantization
            for name, quantization in LITERT_VARIANTS
        }
        litert.export_many(
            model,
            files,
            representative_data=x
            if representative_data is None
            else representative_data,
            num_calibration_samples=num_calibration_samples,
        )
        float_size = None
        for (name, _), path in zip(LITERT_VARIANTS, files):
            runner = litert.LiteModel(path)
            outputs = runner.predict(x)
            size = os.path.getsize(path)
            float_size = float_size or size
            rows.append(
                _row(
                    f"LiteRT {name}",
                    size,
                    float_size,
                    compare_outputs(reference, outputs),
                    _accuracy(outputs, labels),
                    median_latency(
                        lambda r=runner: r.predict(one, batch_size=1), repeat
                    ),
                )
            )
    if "onnx" in formats:
        from kerasverse.export import onnx

        float_path = onnx.export(model, os.path.join(directory, "model_float32.onnx"))
        int8_path = onnx.quantize(
            float_path, os.path.join(directory, "model_int8.onnx")
        )
        float_size = os.path.getsize(float_path)
        for name, path in (("float32", float_path), ("int8", int8_path)):
            runner = onnx.OnnxModel(path)
            outputs = runner.predict(x)
            rows.append(
                _row(
                    f"ONNX {name}",
                    os.path.getsize(path),
                    float_size,
                    compare_outputs(reference, outputs),
                    _accuracy(outputs, labels),
                    median_latency(
                        lambda r=runner: r.predict(one, batch_size=1), repeat
                    ),
                )
            )
    return rows


def _accuracy(outputs, labels):
    import numpy as np

    if labels is None:
        return None
    outputs = outputs[0] if isinstance(outputs, (list, tuple)) else outputs
    return float(np.mean(np.argmax(outputs, -1) == np.asarray(labels).reshape(-1)))


def _row(name, size, float_size, comparison, accuracy, latency):
    comparison = comparison or {}
    top1 = comparison.get("top1_agreement")
    max_diff = comparison.get("max_abs_diff")
    return {
        "artifact": name,
        "size": _human_size(size),
        "size/f32": f"{size / float_size:.2f}x" if float_size else "",
        "max diff": "" if max_diff is None else f"{max_diff:.2e}",
        "top-1 agree": "" if top1 is None else f"{100 * top1:.1f}%",
        "accuracy": "" if accuracy is None else f"{100 * accuracy:.1f}%",
        "batch-1 latency": f"{latency * 1000:.3f} ms",
        "size_bytes": size,
        "latency_s": latency,
        "max_abs_diff": max_diff,
        "top1_agreement": top1,
        "accuracy_value": accuracy,
    }


def _human_size(size):
    for unit in ("B", "KiB", "MiB"):
        if size < 1024 or unit == "MiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024


def format_report(rows, title=None, columns=COLUMNS):
    """A markdown-compatible text table of `build_report` rows."""
    cells = [[str(row.get(c, "")) for c in columns] for row in rows]
    widths = [max(len(c), *(len(r[i]) for r in cells)) for i, c in enumerate(columns)]
    lines = [title] if title else []
    lines.append("| " + " | ".join(c.ljust(w) for c, w in zip(columns, widths)) + " |")
    lines.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    lines += [
        "| " + " | ".join(v.ljust(w) for v, w in zip(r, widths)) + " |" for r in cells
    ]
    return "\n".join(lines)
