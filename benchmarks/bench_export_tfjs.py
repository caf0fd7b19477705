"""TF.js Layers export: kerasverse vs the official `tensorflowjs` converter, on Keras 3 models.

    .venv-bench/bin/python benchmarks/bench_export_tfjs.py

For each model of the export test matrix (plus the digits classifier of the
browser example), built with Keras 3 on the JAX backend and saved as .keras:

1. which exports work: ours (`kerasverse.export.tfjs.save_model`) and the
   official converter (`tensorflowjs` 4.22, `--input_format keras_keras`),
   each loaded with `tf.loadLayersModel` in Node and compared with Keras;
2. export time from the .keras file (median of 3) and artifact size,
   float32 and uint8;
3. inference latency of the export in TF.js (Node, pure-JS cpu backend)
   next to Keras `predict` and a direct Keras call, same machine, batch 32.

    .venv-bench/bin/python benchmarks/bench_export_tfjs.py --text

prints only the latency of the browser example's transformer text classifier
(TF.js in Node vs Keras `predict`, batch 1 and 32).

    .venv-bench/bin/python benchmarks/bench_export_tfjs.py --coverage

prints only the coverage table (86/94 = 91% today, tfjs-layers 57/94): of Keras 3's built-in layer classes (with
weights or computation; aliases counted once; preprocessing that runs outside
the graph, training-only augmentation and framework wrappers excluded), which
ones kerasverse exports (tfjs-layers' own classes plus kerasverse-layers.js)
next to the classes tfjs-layers 4.22 registers, which bound what the official
converter can produce. Every class counted for kerasverse is checked in Node
against Keras by layer_coverage_test.py (slow) or companion_layers_test.py.
"""

import os
import sys

os.environ.setdefault("KERAS_BACKEND", "jax")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import shutil  # noqa: E402
import tempfile  # noqa: E402
import types  # noqa: E402

import keras  # noqa: E402
import numpy as np  # noqa: E402

from benchmarks import harness  # noqa: E402
from kerasverse.export import tfjs  # noqa: E402
from kerasverse.export.tfjs import model_matrix_test as matrix  # noqa: E402
from kerasverse.export.tfjs.layer_coverage_test import randomize  # noqa: E402
from kerasverse.export.tfjs.runtime import NodeRuntime  # noqa: E402

BATCH = 32


def digits():
    return keras.Sequential(
        [
            keras.Input((8, 8, 1)),
            keras.layers.Rescaling(1 / 16.0),
            keras.layers.Conv2D(8, 3, activation="relu", padding="same"),
            keras.layers.MaxPooling2D(),
            keras.layers.Flatten(),
            keras.layers.Dense(10, activation="softmax"),
        ],
        name="digits",
    )


MODELS = {**{k: v for k, v in matrix.MODELS.items() if k != "nested_in_sequential"}, "digits": (digits, [(8, 8, 1)])}


def load_official_converter():
    """Imports the converter, shimming the unrelated imports that break it here.

    tensorflowjs 4.22 imports tensorflow_decision_forests (not installable
    beside TF 2.21 here) and, through tensorflow_hub, `pkg_resources` (gone
    from setuptools >= 81) even for Keras conversion. Stubs for both let its
    Keras path run; the note records which were needed.

    Returns:
        `(converter module or None, note)`.
    """
    shims = []
    for _ in range(3):
        try:
            from tensorflowjs.converters import converter

            note = f"(import needed stubs for: {', '.join(shims)})" if shims else ""
            return converter, note
        except ModuleNotFoundError as error:
            if error.name == "tensorflow_decision_forests":
                sys.modules[error.name] = types.ModuleType(error.name)
            elif error.name == "pkg_resources":
                from packaging.version import parse

                shim = types.ModuleType("pkg_resources")
                shim.parse_version = parse
                sys.modules["pkg_resources"] = shim
            else:
                return None, f"tensorflowjs not importable: {error}"
            shims.append(error.name)
            for name in [m for m in sys.modules if m.startswith(("tensorflowjs", "tensorflow_hub"))]:
                del sys.modules[name]
        except Exception as error:  # noqa: BLE001
            return None, f"tensorflowjs not importable: {type(error).__name__}: {error}"
    return None, f"tensorflowjs not importable even with stubs for {shims}"


def official_export(converter, keras_path, out_dir, quantize=None):
    # The converter unpacks the .keras archive next to it: give it its own folder.
    work = tempfile.mkdtemp(prefix="tfjs-official-")
    local = os.path.join(work, os.path.basename(keras_path))
    shutil.copy(keras_path, local)
    quantization = {quantize: "*"} if quantize else None
    converter.dispatch_keras_keras_to_tfjs_layers_model_conversion(local, out_dir, quantization_dtype_map=quantization)
    shutil.rmtree(work, ignore_errors=True)


def dir_size(path):
    """`"<weights> + <model.json> B"`: shard bytes, then the JSON's."""
    files = os.listdir(path)
    weights = sum(os.path.getsize(os.path.join(path, f)) for f in files if f.endswith(".bin"))
    return f"{weights} + {os.path.getsize(os.path.join(path, 'model.json'))} B"


def short(text, limit=90):
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


# Keras 3 classes left out of the coverage count, and why.
NOT_COUNTED = {
    "aliases": ("AvgPool1D", "AvgPool2D", "AvgPool3D", "Convolution1D", "Convolution1DTranspose", "Convolution2D",
                "Convolution2DTranspose", "Convolution3D", "Convolution3DTranspose", "GlobalAvgPool1D",
                "GlobalAvgPool2D", "GlobalAvgPool3D", "GlobalMaxPool1D", "GlobalMaxPool2D", "GlobalMaxPool3D",
                "MaxPool1D", "MaxPool2D", "MaxPool3D", "SeparableConvolution1D", "SeparableConvolution2D"),
    "framework, not a layer of a graph": ("Layer", "InputLayer", "Wrapper", "RNN", "GRUCell", "LSTMCell",
                                          "SimpleRNNCell", "StackedRNNCells", "Lambda", "FlaxLayer", "JaxLayer",
                                          "TorchModuleWrapper", "TFSMLayer", "Pipeline"),
    "preprocessing outside the graph": ("StringLookup", "IntegerLookup", "TextVectorization", "Hashing",
                                        "HashedCrossing", "Discretization", "MaxNumBoundingBoxes"),
    "training-only image augmentation": ("AugMix", "AutoContrast", "ContrastLimitedAdaptiveHistogramEqualization",
                                         "CutMix", "Equalization", "MixUp", "RandAugment", "Solarization"),
}


def coverage():
    """The coverage table (see the module docstring); static, from the exporter's tables."""
    import inspect

    from kerasverse.export.tfjs import supported_layers

    excluded = {name for names in NOT_COUNTED.values() for name in names}
    classes = sorted(
        name for name, cls in vars(keras.layers).items()
        if inspect.isclass(cls) and issubclass(cls, keras.layers.Layer) and name not in excluded
        and not name.startswith("Random")
    )
    runtime = NodeRuntime()
    registered = set(runtime.run([{"op": "classes"}])[0]["classes"]) if runtime.missing() is None else set()
    registered -= {"Identity"}  # tfjs' Identity is the initializer, not a layer.
    rows, ours_count, tfjs_count = [], 0, 0
    for name in classes:
        spec = supported_layers.SUPPORTED_LAYERS.get(name)
        ours = "no"
        if spec is not None:
            ours = "kerasverse-layers.js" if spec.companion else "yes" + (
                f" (+ {', '.join(f'{k}={v}' for k, v in spec.companion_when.items())} via kerasverse-layers.js)"
                if spec.companion_when else "")
        ours_count += spec is not None
        tfjs_count += name in registered
        rows.append({"Keras 3 layer": name, "kerasverse": ours, "tfjs-layers 4.22 registers": "yes" if name in registered else "no"})
    print(f"Coverage of Keras {keras.__version__}'s built-in layer classes ({len(classes)} counted; excluded: "
          + "; ".join(f"{why}: {len(names)}" for why, names in NOT_COUNTED.items()) + ", RandomX augmentation)")
    print(harness.format_table(rows, ["Keras 3 layer", "kerasverse", "tfjs-layers 4.22 registers"]))
    print(f"\nkerasverse exports {ours_count}/{len(classes)} ({100 * ours_count / len(classes):.0f}%); "
          f"tfjs-layers registers {tfjs_count}/{len(classes)} ({100 * tfjs_count / len(classes):.0f}%), "
          "the most the official converter can load.")
    nlp = sorted(supported_layers.CUSTOM_LAYERS)
    print(f"kerasverse.nlp layers exported through kerasverse-layers.js: {', '.join(nlp)}")


def text_latency():
    """Latency of the browser example's transformer text classifier: TF.js in Node vs Keras.

    The model of examples/tfjs_browser/build_text_site.py (kerasverse.nlp
    TokenAndPositionEmbedding + TransformerEncoder, masked average, softmax;
    200-token vocabulary, 12 tokens), exported with kerasverse-layers.js.
    Latency does not depend on training, so it gets random weights here.
    """
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "examples", "tfjs_browser"))
    from build_text_site import text_classifier

    runtime = NodeRuntime()
    if runtime.missing():
        print(f"TF.js runtime missing: {runtime.missing()}")
        return
    keras.utils.set_random_seed(0)
    model = randomize(text_classifier(200))
    root = tempfile.mkdtemp(prefix="bench-tfjs-text-")
    tfjs.save_model(model, root)
    rng = np.random.default_rng(0)
    rows, requests, batches = [], [], (1, BATCH)
    inputs = {}
    for batch in batches:
        ids = rng.integers(1, 200, (batch, 12)).astype("int32")
        ids[:, 9:] = 0  # padding
        inputs[batch] = ids
        requests.append({"op": "predict", "model_dir": root, "inputs": [ids], "repeat": 20, "batch_size": batch})
    results = runtime.run_batch(requests)
    for batch, result in zip(batches, results):
        x = inputs[batch]
        want = np.asarray(keras.ops.convert_to_numpy(model(x, training=False)))
        diff = float(np.max(np.abs(result["outputs"][0] - want)))
        keras_predict = harness.measure(lambda x=x, batch=batch: model.predict(x, batch_size=batch, verbose=0), repeat=10, warmup=2)
        keras_call = harness.measure(lambda x=x: model(x, training=False), repeat=10, warmup=2)
        node = result["median_s"]
        rows.append({
            "batch": str(batch),
            "tfjs node (cpu)": f"{node * 1e3:.2f} ms",
            "keras predict": f"{keras_predict.median_s * 1e3:.2f} ms",
            "keras call": f"{keras_call.median_s * 1e3:.2f} ms",
            "predict / tfjs": f"{keras_predict.median_s / node:.2f}x",
            "max |tfjs - keras|": f"{diff:.1e}",
        })
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"Transformer text classifier ({model.count_params()} parameters, 12 tokens): median latency "
          f"(TF.js: 20 runs in Node, pure-JS cpu backend, TF.js {_read_tfjs_version()}; Keras {keras.__version__} "
          f"{keras.config.backend()}: 10 runs); {os.cpu_count()} cores, load average {load:.1f}")
    print(harness.format_table(rows, ["batch", "tfjs node (cpu)", "keras predict", "keras call", "predict / tfjs", "max |tfjs - keras|"]))
    shutil.rmtree(root, ignore_errors=True)


def main():
    if "--coverage" in sys.argv:
        coverage()
        return
    if "--text" in sys.argv:
        text_latency()
        return
    runtime = NodeRuntime()
    problem = runtime.missing()
    if problem:
        print(f"TF.js runtime missing: {problem}")
        return
    converter, converter_note = load_official_converter()
    root = tempfile.mkdtemp(prefix="bench-tfjs-")
    keras.utils.set_random_seed(0)
    status_rows, time_rows, size_rows, latency_rows = [], [], [], []
    predict_requests, expected = [], {}

    for index, (name, (factory, shapes)) in enumerate(MODELS.items()):
        model = randomize(factory(), seed=index)
        inputs = matrix.inputs_for(model, shapes, index, batch=BATCH)
        expected[name] = (model, inputs, matrix.keras_outputs(model, inputs))
        keras_path = os.path.join(root, f"{name}.keras")
        model.save(keras_path)

        # Ours, from the .keras file (the converter's input too).
        counter = iter(range(1000))

        def ours(quantize=None, name=name, keras_path=keras_path, counter=counter):
            loaded = keras.saving.load_model(keras_path)
            tfjs.save_model(loaded, os.path.join(root, f"{name}_ours_{quantize}_{next(counter)}"), quantize=quantize)

        ours_time = harness.measure(ours, repeat=3, warmup=1)

        def ours_in_memory(name=name, model=model, counter=counter):
            tfjs.save_model(model, os.path.join(root, f"{name}_mem_{next(counter)}"))

        in_memory = harness.measure(ours_in_memory, repeat=3, warmup=1)
        ours_dir = os.path.join(root, f"{name}_ours")
        tfjs.save_model(model, ours_dir)
        tfjs.save_model(model, ours_dir + "_uint8", quantize="uint8")
        predict_requests.append({"op": "predict", "model_dir": ours_dir, "inputs": inputs, "repeat": 20, "batch_size": BATCH})
        predict_requests.append({"op": "predict", "model_dir": ours_dir + "_uint8", "inputs": inputs})

        # The official converter.
        official_dir = os.path.join(root, f"{name}_official")
        official_time, official_error = None, None
        if converter is None:
            official_error = converter_note
        else:
            try:
                official_export(converter, keras_path, official_dir)
                official_export(converter, keras_path, official_dir + "_uint8", quantize="uint8")
                counter2 = iter(range(1000))

                def official(name=name, keras_path=keras_path, counter=counter2):
                    official_export(converter, keras_path, os.path.join(root, f"{name}_off_{next(counter)}"))

                official_time = harness.measure(official, repeat=3, warmup=0)
            except Exception as error:  # noqa: BLE001
                official_error = f"converter raised {type(error).__name__}: {error}"
        if official_error is None:
            predict_requests.append({"op": "predict", "model_dir": official_dir, "inputs": inputs})
        expected[name] += (official_error, official_dir)
        row = harness.comparison_row(f"{name}: export from .keras", ours_time, official_time)
        row["kerasverse, model in memory"] = f"{in_memory.median_s:.4g} s"
        time_rows.append(row)
        size_rows.append(
            {
                "model": name,
                "ours float32": dir_size(ours_dir),
                "ours uint8": dir_size(ours_dir + "_uint8"),
                "official float32": dir_size(official_dir) if official_error is None else "n/a",
                "official uint8": dir_size(official_dir + "_uint8") if official_error is None else "n/a",
            }
        )

    results = {os.path.basename(r["model_dir"]): res for r, res in zip(predict_requests, runtime.run_batch(predict_requests))}

    def diff(result, want):
        if "error" in result:
            return None, short(result["error"])
        got = result["outputs"]
        return max(float(np.max(np.abs(g - w))) for g, w in zip(got, want)), None

    for name, (model, inputs, want, official_error, official_dir) in expected.items():
        ours_diff, ours_error = diff(results[f"{name}_ours"], want)
        uint8_diff, _ = diff(results[f"{name}_ours_uint8"], want)
        if official_error is None:
            official_diff, official_load_error = diff(results[os.path.basename(official_dir)], want)
            if official_load_error:
                official = f"FAILS in tf.loadLayersModel: {official_load_error}"
            elif official_diff > 1e-5:
                official = f"loads, WRONG outputs (max diff {official_diff:.3g})"
            else:
                official = f"ok (max diff {official_diff:.1e})"
        else:
            official = f"FAILS: {short(official_error)}"
        status_rows.append(
            {
                "model": name,
                "kerasverse": f"ok (max diff {ours_diff:.1e}, uint8 {uint8_diff:.1e})" if ours_error is None else f"FAILS: {ours_error}",
                "official tensorflowjs": official,
            }
        )
        keras_predict = harness.measure(lambda m=model, x=inputs: m.predict(x if len(x) > 1 else x[0], batch_size=BATCH, verbose=0), repeat=10, warmup=2)
        keras_call = harness.measure(lambda m=model, x=inputs: m(x if len(x) > 1 else x[0], training=False), repeat=10, warmup=2)
        node = results[f"{name}_ours"].get("median_s")
        latency_rows.append(
            {
                "model": name,
                "tfjs node (cpu)": "n/a" if node is None else f"{node * 1e3:.2f} ms",
                "keras predict": f"{keras_predict.median_s * 1e3:.2f} ms",
                "keras call": f"{keras_call.median_s * 1e3:.2f} ms",
                "predict / tfjs": "n/a" if node is None else f"{keras_predict.median_s / node:.2f}x",
            }
        )

    print(f"Machine: {os.cpu_count()} cores; Keras {keras.__version__} backend {keras.config.backend()}; TF.js {_tfjs_version()} (pure JS cpu backend)")
    print(f"Official converter: tensorflowjs {_official_version()} {converter_note}\n")
    print("Export status: loaded with tf.loadLayersModel in Node, compared with Keras (float32 must be <= 1e-5)")
    print(harness.format_table(status_rows, ["model", "kerasverse", "official tensorflowjs"]))
    print(
        "\nExport time from the .keras file, median of 3 (ratio = official / ours; > 1 means kerasverse is faster).\n"
        "Ours rebuilds the Keras model from the file (keras.saving.load_model) before writing; the official\n"
        "converter copies the config and HDF5 weights without building the model. Last column: our export of\n"
        "a model already in memory (the usual call, `save_model(model, dir)`)."
    )
    print(harness.format_table(time_rows, ["case", "kerasverse", "peer", "ratio", "kerasverse, model in memory"]))
    print("\nArtifact size: weight shards + model.json, bytes")
    print(harness.format_table(size_rows, ["model", "ours float32", "ours uint8", "official float32", "official uint8"]))
    print(f"\nInference latency, batch {BATCH}, median (TF.js: 20 runs in Node; Keras: 10 runs)")
    print(harness.format_table(latency_rows, ["model", "tfjs node (cpu)", "keras predict", "keras call", "predict / tfjs"]))
    shutil.rmtree(root, ignore_errors=True)


def _tfjs_version():
    return NodeRuntime().run([{"op": "classes"}]) and _read_tfjs_version()


def _read_tfjs_version():
    from kerasverse import capabilities

    return capabilities.tfjs_runtime()["tfjs"]


def _official_version():
    try:
        from importlib.metadata import version

        return version("tensorflowjs")
    except Exception:  # noqa: BLE001
        return "not installed"


if __name__ == "__main__":
    main()
