"""The kerasverse main job on embedded defaults (`make demo`).

scikit-learn's bundled digits → `kerasverse.tuner` search (SQLite study,
progress bar, HTML report) → best model → `kerasverse.optimize` (80 %
magnitude pruning, fine-tuned) → `kerasverse.export` (TF.js verified in Node,
ONNX verified in onnxruntime, LiteRT float and int8 verified in the LiteRT
interpreter) → one summary table: accuracy, size, max difference from Keras,
batch-1 latency per artifact. Then TFX's penguin pipeline on `kerasverse.pipeline`
(ingest → statistics → schema → validate → transform → tune → train →
evaluate/bless → push; run cold, cached, and on new data), the pushed model
served by `kerasverse serve` (TF Serving's REST API) and queried once with a
raw row, an AutoML search, and the command that opens it all in `kerasverse ui`.

A stage whose optional dependency is missing is skipped with the install line
(`kerasverse info` lists them all); the table says which.

Run: `make demo` (or `python examples/demo.py --out demo_output --trials 6`).
"""

import argparse
import gzip
import os
import shutil
import statistics
import sys
import time

os.environ.setdefault("KERAS_BACKEND", "jax")

import keras  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402


def load_data(seed=0):
    """Digits as 8x8x1 float images in [0, 1], split 80/20 (stratified)."""
    digits = load_digits()
    x = (digits.images / 16.0).astype("float32")[..., None]
    y = digits.target.astype("int32")
    return train_test_split(x, y, test_size=0.2, random_state=seed, stratify=y)


def build_model(hp=None):
    """The digits CNN; its widths and learning rate are hyperparameters."""
    filters = hp.Choice("filters", [8, 16, 32], default=16) if hp else 16
    units = hp.Int("units", 32, 128, step=32, default=64) if hp else 64
    learning_rate = hp.Float("learning_rate", 1e-3, 1e-2, sampling="log", default=3e-3) if hp else 3e-3
    model = keras.Sequential(
        [
            keras.Input((8, 8, 1)),
            keras.layers.Conv2D(filters, 3, padding="same", activation="relu"),
            keras.layers.MaxPooling2D(),
            keras.layers.Flatten(),
            keras.layers.Dense(units, activation="relu"),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model


def print_table(rows, columns):
    widths = [max(len(c), *(len(str(r.get(c, ""))) for r in rows)) for c in columns]
    print("| " + " | ".join(c.ljust(w) for c, w in zip(columns, widths)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in rows:
        print("| " + " | ".join(str(row.get(c, "")).ljust(w) for c, w in zip(columns, widths)) + " |")


def median_latency_ms(predict, x, repeat=30):
    predict(x)
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        predict(x)
        runs.append(time.perf_counter() - start)
    return statistics.median(runs) * 1000


def file_size(path):
    if os.path.isdir(path):
        return sum(os.path.getsize(os.path.join(path, f)) for f in os.listdir(path))
    return os.path.getsize(path)


def gzipped_size(path):
    if os.path.isdir(path):
        return sum(len(gzip.compress(open(os.path.join(path, f), "rb").read())) for f in sorted(os.listdir(path)))
    return len(gzip.compress(open(path, "rb").read()))


def skipped(stage, error):
    print(f"  skipped {stage}: {error}")
    return {"artifact": stage, "accuracy": "skipped", "note": str(error).splitlines()[0][:70]}


# ---------------------------------------------------------------------- stages
def tune(x_train, y_train, args):
    import kerasverse.tuner as kt

    class DigitsHyperModel(kt.HyperModel):
        def build(self, hp):
            return build_model(hp)

        def fit(self, hp, model, *fit_args, **fit_kwargs):
            # Quiet epochs: the tuner's own progress bar shows the trials.
            return model.fit(*fit_args, **{**fit_kwargs, "verbose": 0})

    print(f"\n[1/3] tuner: Bayesian optimization, {args.trials} trials, median pruning")
    tuner = kt.BayesianOptimization(
        DigitsHyperModel(),
        objective="val_accuracy",
        max_trials=args.trials,
        num_initial_points=3,
        seed=args.seed,
        directory=os.path.join(args.out, "tuner"),
        project_name="digits",
        overwrite=True,
        pruner=kt.MedianPruner(),
    )
    tuner.search(x_train, y_train, epochs=args.epochs, batch_size=64, validation_split=0.2)
    tuner.results_summary(num_trials=3)
    report = tuner.report(os.path.join(args.out, "tuner_report.html"))
    print(f"  study: {os.path.join(args.out, 'tuner', 'digits')}  report: {report}")
    best_hp = tuner.get_best_hyperparameters(1)[0]
    model = build_model(best_hp)
    model.fit(x_train, y_train, epochs=args.epochs, batch_size=64, verbose=0)
    return model, best_hp.values


def prune(model, x_train, y_train, args):
    from kerasverse import optimize
    from kerasverse.optimize import sparsity

    print("\n[2/3] optimize: prune to 80 % sparsity, fine-tune, strip")
    steps = int(np.ceil(len(x_train) / 64)) * 3
    pruned = sparsity.prune_low_magnitude(
        model, pruning_schedule=sparsity.PolynomialDecay(0.0, 0.8, begin_step=0, end_step=steps, frequency=5)
    )
    pruned.compile(
        optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy", metrics=["accuracy"]
    )
    pruned.fit(x_train, y_train, epochs=5, batch_size=64, verbose=0, callbacks=[sparsity.UpdatePruningStep()])
    stripped = sparsity.strip_pruning(pruned)
    stripped.compile(loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    summary = optimize.summary(stripped)
    print(f"  sparsity {summary.total_sparsity:.0%}, gzipped weights {summary.total_gzip_bytes} bytes")
    return stripped


def export_all(model, x_train, x_test, y_test, args):
    print("\n[3/3] export: TF.js, ONNX, LiteRT — each run in its real runtime")
    rows = []
    keras_probs = model.predict(x_test, verbose=0)

    def row(name, path, predict):
        probs = predict(x_test)
        return {
            "artifact": name,
            "accuracy": f"{np.mean(np.argmax(probs, -1) == y_test):.4f}",
            "size KB": f"{file_size(path) / 1024:.1f}",
            "gzip KB": f"{gzipped_size(path) / 1024:.1f}",
            "max |diff|": f"{np.max(np.abs(np.asarray(probs, 'float64') - keras_probs)):.2e}",
            "top-1 agree": f"{np.mean(np.argmax(probs, -1) == np.argmax(keras_probs, -1)):.4f}",
            "batch-1 ms": f"{median_latency_ms(predict, x_test[:1]):.3f}",
        }

    keras_path = os.path.join(args.out, "digits_pruned.keras")
    model.save(keras_path)
    rows.append(row("keras (pruned, float32)", keras_path, lambda x: model.predict(x, verbose=0)))

    from kerasverse import optimize

    kvz_path = os.path.join(args.out, "digits_pruned_int8.kvz")
    optimize.save_compressed(model, kvz_path, quantize="int8")  # Non-zero positions + int8 values.
    restored = optimize.load_compressed(kvz_path)
    kvz_row = row("kvz (pruned, int8)", kvz_path, lambda x: restored.predict(x, verbose=0))
    rows.append({**kvz_row, "note": "optimize.save_compressed, loaded back into Keras"})

    try:
        from kerasverse.export import tfjs

        path = os.path.join(args.out, "tfjs")
        shutil.rmtree(path, ignore_errors=True)
        tfjs.save_model(model, path)
        result = tfjs.verify(model, path, x_test)
        tfjs_probs = result.outputs[0]
        entry = {
            "artifact": "tfjs (node)",
            "accuracy": f"{np.mean(np.argmax(tfjs_probs, -1) == y_test):.4f}",
            "size KB": f"{file_size(path) / 1024:.1f}",
            "gzip KB": f"{gzipped_size(path) / 1024:.1f}",
            "max |diff|": f"{result.max_abs_diff:.2e}",
            "top-1 agree": f"{np.mean(np.argmax(tfjs_probs, -1) == np.argmax(keras_probs, -1)):.4f}",
            "note": "latency: benchmarks/bench_export_tfjs",
        }
        rows.append(entry)
    except Exception as error:  # Node or js/node_modules missing.
        rows.append(skipped("tfjs (node)", error))

    try:
        from kerasverse.export import onnx

        path = os.path.join(args.out, "digits.onnx")
        onnx.export(model, path)
        runner = onnx.OnnxModel(path)
        rows.append(row("onnx (onnxruntime)", path, runner.predict))
    except Exception as error:
        rows.append(skipped("onnx (onnxruntime)", error))

    try:
        from kerasverse.export import litert

        float_path = os.path.join(args.out, "digits.tflite")
        int8_path = os.path.join(args.out, "digits_int8.tflite")
        litert.export_many(
            model, {float_path: None, int8_path: "int8"}, representative_data=x_train[:300]
        )
        rows.append(row("litert float32", float_path, litert.LiteModel(float_path).predict))
        rows.append(row("litert int8", int8_path, litert.LiteModel(int8_path).predict))
    except Exception as error:  # TensorFlow (the [litert] extra) missing.
        rows.append(skipped("litert", error))
    return rows


def run_pipeline(args):
    """TFX's penguin pipeline (examples/penguin_pipeline.py) under args.out/pipeline."""
    print("\n[pipeline] TFX's penguin pipeline on kerasverse.pipeline: cold, cached, new data")
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import penguin_pipeline

    workdir = os.path.join(args.out, "pipeline")
    shutil.rmtree(workdir, ignore_errors=True)
    summary = penguin_pipeline.main(workdir, train_steps=args.pipeline_steps, tuner_steps=10,
                                    max_trials=2, verbose=True)
    summary["serving_dir"] = os.path.join(workdir, "serving")
    return summary


def serve_and_query(serving_dir, row):
    """`kerasverse serve` on the pushed model folder; one :predict with a raw row."""
    from kerasverse.serving import Client
    from kerasverse.serving import ModelServer

    print(f"\n[serve] kerasverse serve --model_name=penguin --model_base_path={serving_dir}")
    with ModelServer([("penguin", serving_dir)], rest_api_port=0, file_system_poll_wait_seconds=0) as server:
        client = Client(server.url)
        status = client.status("penguin")
        prediction = client.predict("penguin", [row])
        print(f"  GET  /v1/models/penguin -> {status}")
        print(f"  POST /v1/models/penguin:predict {{\"instances\": [{row}]}}")
        print(f"       -> class probabilities {np.round(np.asarray(prediction)[0], 3).tolist()}")
    return prediction


def run_automl(args):
    """A short AutoML search (examples/automl_example.py)."""
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import automl_example

    print("\n[automl] kerasverse.automl: StructuredDataClassifier on a CSV with strings and missing values")
    return automl_example.main(os.path.join(args.out, "automl"))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="demo_output", help="where the study, report and artifacts go")
    parser.add_argument("--trials", type=int, default=6)
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--stages", default="tune,optimize,export,pipeline,serve,automl",
                        help="comma-separated subset of tune,optimize,export,pipeline,serve,automl")
    parser.add_argument("--pipeline-steps", type=int, default=60, help="the pipeline Trainer's train steps")
    args = parser.parse_args(argv)
    stages = set(args.stages.split(","))
    os.makedirs(args.out, exist_ok=True)

    keras.utils.set_random_seed(args.seed)
    x_train, x_test, y_train, y_test = load_data(args.seed)
    print(
        f"kerasverse demo on {keras.config.backend()}: digits, "
        f"{len(x_train)} train / {len(x_test)} test images; output in {args.out}/"
    )
    start = time.perf_counter()
    if "tune" in stages:
        model, best = tune(x_train, y_train, args)
        print(f"  best hyperparameters: {best}")
    else:
        model = build_model()
        model.fit(x_train, y_train, epochs=args.epochs, batch_size=64, verbose=0)
    _, dense_accuracy = model.evaluate(x_test, y_test, verbose=0)
    rows = [{"artifact": "keras (tuned, float32)", "accuracy": f"{dense_accuracy:.4f}"}]
    if "optimize" in stages:
        model = prune(model, x_train, y_train, args)
    if "export" in stages:
        rows += export_all(model, x_train, x_test, y_test, args)

    print(f"\nSummary ({time.perf_counter() - start:.0f} s; max |diff| and top-1 agreement vs the Keras model exported):")
    print_table(rows, ["artifact", "accuracy", "size KB", "gzip KB", "max |diff|", "top-1 agree", "batch-1 ms", "note"])
    if "pipeline" in stages:
        try:
            summary = run_pipeline(args)
        except ImportError as error:
            skipped("pipeline", error)
        else:
            if "serve" in stages and summary["pushed_versions"]:
                try:
                    serve_and_query(summary["serving_dir"], summary["prediction"]["row"])
                except ImportError as error:
                    skipped("serve", error)
    if "automl" in stages:
        try:
            run_automl(args)
        except ImportError as error:
            skipped("automl", error)
    print(f"\nSee it all in one page: kerasverse ui {args.out}"
          + ("  (add --server URL for a running `kerasverse serve`)" if "pipeline" in stages else ""))
    return rows


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
