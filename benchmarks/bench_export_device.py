"""LiteRT / ONNX device export: size, fidelity and batch-1 latency vs Keras predict.

Two models, trained here on scikit-learn's bundled digits (no download):
a small digits CNN (8x8x1, 8 epochs) and a MobileNetV3-Small-config image
model (`keras.applications.MobileNetV3Small(weights=None)`: the standard
config, alpha 1.0, hard-swish and squeeze-excite, with a 10-class head;
digits upscaled to 32x32x3, 15 epochs), both trained with a cosine-decayed
learning rate on 1400 digits; 397 held-out digits measure everything. Each is
exported with `kerasverse.export.litert` (float32, dynamic, float16, int8 with
per-channel and with per-tensor weight scales, calibrated on up to 1000
training images) and `kerasverse.export.onnx` (float32, int8), run in the real
runtimes (ai-edge-litert, onnxruntime) and compared with Keras on the held-out
split: top-1 agreement with Keras and the accuracy drop. The "peer" is Keras itself: `model.predict` on one sample
(the ratio column is Keras latency / artifact latency, so > 1 = faster), and
Keras' own `model.export(format="litert")`, which refuses the JAX backend.

Run: `KERAS_BACKEND=jax .venv/bin/python benchmarks/bench_export_device.py [--quick]`
"""

import argparse
import os
import sys
import tempfile

os.environ.setdefault("KERAS_BACKEND", "jax")  # Keras alone would default to TensorFlow.

import keras  # noqa: E402
import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from benchmarks import harness  # noqa: E402
from kerasverse.cli import export_report  # noqa: E402
from kerasverse.cli.export_report import build_report  # noqa: E402
from kerasverse.cli.export_report import format_report  # noqa: E402
from kerasverse.export import litert  # noqa: E402
from kerasverse.export.litert.verify import compare_outputs  # noqa: E402


def digits(size=8, channels=1):
    from sklearn.datasets import load_digits

    data = load_digits()
    x = (data.images / 16.0).astype("float32")[..., None]
    if size != 8:
        x = np.repeat(np.repeat(x, size // 8, axis=1), size // 8, axis=2)
    if channels != 1:
        x = np.repeat(x, channels, axis=-1)
    rng = np.random.default_rng(0)
    order = rng.permutation(len(x))
    x, y = x[order], data.target[order]
    return (x[:1400], y[:1400]), (x[1400:], y[1400:])


def digits_cnn():
    return keras.Sequential(
        [
            keras.Input((8, 8, 1)),
            keras.layers.Conv2D(32, 3, padding="same", activation="relu"),
            keras.layers.Conv2D(64, 3, padding="same", activation="relu"),
            keras.layers.MaxPooling2D(),
            keras.layers.Flatten(),
            keras.layers.Dense(128, activation="relu"),
            keras.layers.Dense(10, activation="softmax"),
        ],
        name="digits_cnn",
    )


def mobilenet_v3_small():
    model = keras.applications.MobileNetV3Small(
        input_shape=(32, 32, 3),
        weights=None,
        classes=10,
        include_preprocessing=False,
        minimalistic=False,
    )
    # The application uses BatchNormalization momentum 0.999, made for long
    # ImageNet runs: after a few hundred steps the moving statistics are still
    # mostly their initial values and inference predicts one class. 0.9 lets
    # them settle within this short training.
    for layer in model.layers:
        if isinstance(layer, keras.layers.BatchNormalization):
            layer.momentum = 0.9
    return model


def train(model, data, epochs, batch_size=32):
    (x, y), _ = data
    # Cosine decay to zero: the last epochs settle the weights and the
    # BatchNorm statistics, so the model has clear margins that int8 can keep.
    steps = epochs * -(-len(x) // batch_size)
    model.compile(
        optimizer=keras.optimizers.Adam(
            keras.optimizers.schedules.CosineDecay(2e-3, steps)
        ),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    model.fit(x, y, epochs=epochs, batch_size=batch_size, verbose=0)
    return model


def by_artifact(rows):
    return {row["artifact"]: row for row in rows}


def per_tensor_int8_row(
    model, x, labels, representative_data, directory, float_size, **options
):
    """The report row of a full-integer file with one scale per weight tensor."""
    path = litert.export(
        model,
        os.path.join(directory, "model_int8_per_tensor.tflite"),
        quantization="int8",
        representative_data=representative_data,
        num_calibration_samples=options["num_calibration_samples"],
        per_channel=False,
    )
    runner = litert.LiteModel(path)
    outputs = runner.predict(x)
    one = x[:1]
    return export_report._row(
        "LiteRT int8 per-tensor",
        os.path.getsize(path),
        float_size,
        compare_outputs(model.predict(x, batch_size=32, verbose=0), outputs),
        export_report._accuracy(outputs, labels),
        export_report.median_latency(
            lambda: runner.predict(one, batch_size=1), options["repeat"]
        ),
    )


def keras_litert_on_this_backend(model, directory):
    try:
        model.export(os.path.join(directory, "keras_own.tflite"), format="litert")
        return "works"
    except Exception as error:  # The point: Keras refuses some backends.
        return f"fails: {type(error).__name__}: {str(error).splitlines()[0][:90]}"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--quick", action="store_true", help="fewer epochs and timing runs"
    )
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument(
        "--calibration-samples", type=int, default=1000, help="int8 calibration samples"
    )
    parser.add_argument(
        "--models", nargs="*", default=["digits_cnn", "mobilenet_v3_small"]
    )
    args = parser.parse_args()
    keras.utils.set_random_seed(0)
    backend = keras.config.backend()
    print(
        f"Machine: {os.cpu_count()} CPU cores; Keras backend: {backend}; latency = median of {args.repeat}"
    )
    summary = []
    cases = {
        "digits_cnn": (digits_cnn, digits(), 3 if args.quick else 8),
        "mobilenet_v3_small": (
            mobilenet_v3_small,
            digits(32, 3),
            2 if args.quick else 15,
        ),
    }
    for name in args.models:
        build, data, epochs = cases[name]
        model = train(build(), data, epochs)
        (x_train, _), (x_test, y_test) = data
        with tempfile.TemporaryDirectory() as directory:
            rows = build_report(
                model,
                x_test,
                labels=y_test,
                directory=directory,
                representative_data=x_train,
                num_calibration_samples=args.calibration_samples,
                repeat=args.repeat,
            )
            rows.insert(
                [row["artifact"] for row in rows].index("LiteRT int8") + 1,
                per_tensor_int8_row(
                    model,
                    x_test,
                    y_test,
                    x_train,
                    directory,
                    float_size=by_artifact(rows)["LiteRT float32"]["size_bytes"],
                    num_calibration_samples=args.calibration_samples,
                    repeat=args.repeat,
                ),
            )
            keras_own = keras_litert_on_this_backend(model, directory)
        print()
        print(
            format_report(
                rows,
                title=f"{name} ({model.count_params()} params), {len(x_test)} held-out digits",
            )
        )
        print(f"Keras' own model.export(format='litert') on {backend}: {keras_own}")
        by_name = by_artifact(rows)
        keras_row = by_name[f"Keras ({backend}) predict"]
        float32 = by_name["LiteRT float32"]
        for artifact in ("LiteRT int8", "LiteRT int8 per-tensor"):
            int8 = by_name[artifact]
            drop = keras_row["accuracy_value"] - int8["accuracy_value"]
            summary.append(
                {
                    "case": f"{name}: {artifact} size / float32",
                    "kerasverse": f"{int8['size_bytes'] / float32['size_bytes']:.3f}",
                    "peer": "<= 0.27 target",
                    "ratio": "",
                }
            )
            summary.append(
                {
                    "case": f"{name}: {artifact} top-1 agreement / accuracy drop",
                    "kerasverse": f"{100 * int8['top1_agreement']:.1f}% / {100 * drop:.1f} pt",
                    "peer": ">= 99% / <= 1 pt",
                    "ratio": "",
                }
            )
        for artifact in ("LiteRT int8", "LiteRT float32", "ONNX float32", "ONNX int8"):
            row = harness.comparison_row(
                f"{name}: batch-1 {artifact} vs Keras predict ({backend})",
                by_name[artifact]["latency_s"] * 1000,
                keras_row["latency_s"] * 1000,
                unit="ms",
            )
            summary.append(row)
    print()
    print(
        "Summary (ratio = Keras predict latency / artifact latency: > 1 means the artifact is faster)"
    )
    print(harness.format_table(summary, ["case", "kerasverse", "peer", "ratio"]))


if __name__ == "__main__":
    main()
