"""kerasverse.optimize vs tfmot 0.8.1 (tf_keras): pruning, clustering, QAT on digits.

Two tasks: scikit-learn digits (8x8, fixed split) and a larger generated
one (`--task digits|generated` runs one). Same data, same CNN, same epochs,
optimizers and schedules on both sides. kerasverse runs on Keras 3 with the
backend of KERAS_BACKEND (jax by default); tfmot runs in a child process of
this script (tf_keras needs `TF_USE_LEGACY_KERAS=1`, kept out of our
process). Sizes are gzip (level 9) of the concatenated weight arrays of the
stripped model, the same function on both sides; "pruned + int8" sizes are
Keras' `model.quantize("int8")` (ours; Dense int8, Conv2D stays float32 in
Keras 3.15) and a full-int8 TFLite flatbuffer, gzipped (tfmot's documented
path); the "int8 weight payload" row stores every kernel as per-channel int8
(what an int8 exporter writes), the same function on both sides.

Run: `.venv-bench/bin/python benchmarks/bench_optimize.py` (add `--quick`
for a fast smoke run with fewer epochs).

`--low-bit` runs the n-bit study instead (issue #21, kerasverse only):
n-bit QAT vs n-bit static PTQ vs a fine-tuning control, 5 seeds, on digits,
the generated task and a small depthwise CNN on digits, for W8A8, W4A8
and W4A8 per-tensor (`--task NAME` runs one task, `--seeds N`).
"""

import gzip
import json
import os
import platform
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("KERAS_BACKEND", "jax")  # Keras alone would default to TensorFlow.

import numpy as np  # noqa: E402

from benchmarks import harness  # noqa: E402

SEED = 0
BATCH_SIZE = 32
EPOCHS = {
    # Pruning: sparsity ramps 0 -> 80 % over the first half of the pruning
    # epochs, then the pruned model fine-tunes (tfmot's guide ramps then
    # fine-tunes too); 20/10 keeps the drop under 1 point over seeds 0-2.
    "digits": {"dense": 30, "prune": 20, "prune_end": 10, "cluster": 5, "qat": 5},
    "generated": {"dense": 10, "prune": 6, "prune_end": 4, "cluster": 3, "qat": 3},
}
OVERHEAD_ROUNDS = 3  # interleaved epochs per model on the second backend
OVERHEAD_SAMPLES = 1024  # training samples per epoch there (torch on 2 CPU cores is slow)
QAT_SEEDS = 5  # dense models (seeds 0..4) on which QAT and static PTQ are compared
QUICK_EPOCHS = {"dense": 3, "prune": 2, "prune_end": 1, "cluster": 1, "qat": 1}


def load_digits():
    from sklearn.datasets import load_digits as sk_digits
    from sklearn.model_selection import train_test_split

    data = sk_digits()
    x = (data.images / 16.0).astype("float32")[..., None]
    y = data.target.astype("int32")
    return train_test_split(x, y, test_size=0.25, random_state=SEED, stratify=y)


def load_generated():
    """A larger generated task: 16x16 noisy, shifted versions of 10 smooth prototypes."""
    rng = np.random.default_rng(SEED)
    noise = rng.standard_normal((10, 20, 20))
    prototypes = sum(np.roll(np.roll(noise, dy, 1), dx, 2) for dy in (-1, 0, 1) for dx in (-1, 0, 1))
    prototypes /= prototypes.std()
    y = rng.integers(0, 10, 5000).astype("int32")
    shifts = rng.integers(0, 5, (5000, 2))
    x = np.stack([prototypes[c, a : a + 16, b : b + 16] for c, (a, b) in zip(y, shifts)])
    x = (x * rng.uniform(0.5, 1.5, (5000, 1, 1)) + 1.2 * rng.standard_normal(x.shape))
    x = x.astype("float32")[..., None]
    return x[:4000], x[4000:], y[:4000], y[4000:]


def build_generated_cnn(keras_module):
    layers = keras_module.layers
    inputs = keras_module.Input((16, 16, 1))
    x = layers.Conv2D(32, 3, activation="relu")(inputs)
    x = layers.MaxPooling2D()(x)
    x = layers.Conv2D(64, 3, activation="relu")(x)
    x = layers.MaxPooling2D()(x)
    x = layers.Flatten()(x)
    x = layers.Dense(128, activation="relu")(x)
    return keras_module.Model(inputs, layers.Dense(10)(x))


def build_cnn(keras_module):
    # Functional: tfmot's quantize_model fails to clone a tf_keras Sequential
    # that starts with an Input.
    layers = keras_module.layers
    inputs = keras_module.Input((8, 8, 1))
    x = layers.Conv2D(16, 3, activation="relu")(inputs)
    x = layers.MaxPooling2D()(x)
    x = layers.Flatten()(x)
    x = layers.Dense(64, activation="relu")(x)
    return keras_module.Model(inputs, layers.Dense(10)(x))


def gzip_weights(weights):
    payload = b"".join(np.ascontiguousarray(w).tobytes() for w in weights)
    return len(gzip.compress(payload, compresslevel=9, mtime=0))


def int8_payload_gzip(weights):
    """gzip bytes of the weights stored as an int8 exporter stores them.

    Every kernel (rank >= 2) becomes per-output-channel symmetric int8 plus
    one float32 scale per channel; other weights (biases) stay 4 bytes each.
    The same function measures both sides.
    """
    arrays = []
    for w in weights:
        if w.ndim >= 2:
            flat = w.reshape(-1, w.shape[-1])
            scale = np.maximum(np.abs(flat).max(axis=0), 1e-12) / 127.0
            arrays += [np.round(flat / scale).astype("int8"), scale.astype("float32")]
        else:
            arrays.append(w.astype("float32"))
    return gzip_weights(arrays)


def int8_sparse_payload_gzip(weights):
    """gzip bytes of the int8 kernels stored sparse: a bitmap plus the non-zeros.

    Each kernel becomes a packed bitmap of its non-zero positions, the
    non-zero int8 values (per-output-channel symmetric, as in
    `int8_payload_gzip`) and one float32 scale per channel; biases stay
    float32. A lossless re-layout of the int8 payload (what a sparse storage
    format writes); the same function measures both sides.
    """
    arrays = []
    for w in weights:
        if w.ndim >= 2:
            flat = w.reshape(-1, w.shape[-1])
            scale = np.maximum(np.abs(flat).max(axis=0), 1e-12) / 127.0
            quantized = np.round(flat / scale).astype("int8")
            arrays += [np.packbits(quantized != 0), quantized[quantized != 0], scale.astype("float32")]
        else:
            arrays.append(w.astype("float32"))
    return gzip_weights(arrays)


def cluster_payload_gzip(weights):
    """gzip bytes of clustered kernels stored as a codebook plus indices.

    A kernel with at most 16 distinct values becomes its float32 values
    and 4-bit indices (two per byte); up to 256 values, 8-bit indices;
    others and biases stay float32. Lossless; the same function measures
    both sides.
    """
    arrays = []
    for w in weights:
        values, indices = np.unique(w, return_inverse=True)
        indices = indices.reshape(-1)
        if w.ndim >= 2 and len(values) <= 16:
            padded = np.append(indices, 0) if len(indices) % 2 else indices
            packed = (padded[0::2] << 4 | padded[1::2]).astype("uint8")
            arrays += [values.astype("float32"), packed]
        elif w.ndim >= 2 and len(values) <= 256:
            arrays += [values.astype("float32"), indices.astype("uint8")]
        else:
            arrays.append(w.astype("float32"))
    return gzip_weights(arrays)


def accuracy(model, x, y):
    return 100.0 * float(np.mean(np.argmax(model.predict(x, verbose=0), axis=-1) == y))


def accuracy_and_cross_entropy(model, x, y):
    """Test accuracy (%) and mean test cross-entropy (nats) of a model that outputs logits.

    The cross-entropy is continuous: it separates models whose accuracies
    tie on a few hundred test samples.
    """
    logits = model.predict(x, verbose=0).astype("float64")
    logits -= logits.max(axis=-1, keepdims=True)
    log_probs = logits - np.log(np.exp(logits).sum(axis=-1, keepdims=True))
    return 100.0 * float(np.mean(np.argmax(logits, axis=-1) == y)), float(-log_probs[np.arange(len(y)), y].mean())


def compile_model(model, keras_module, learning_rate):
    model.compile(
        keras_module.optimizers.Adam(learning_rate),
        keras_module.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )


def epoch_times(dense, pruned, x, y, callbacks, rounds=5):
    """Per-epoch seconds of `dense` and `pruned`, epochs interleaved, min of `rounds`.

    Alternating the two models spreads the load of a shared machine over
    both; the minimum is the least disturbed epoch. One warm-up epoch each
    (compilation) is not counted.
    """
    times = {"dense": [], "pruned": []}
    for index in range(rounds + 1):
        for name, model, extra in (("dense", dense, []), ("pruned", pruned, list(callbacks))):
            start = time.perf_counter()
            model.fit(x, y, batch_size=BATCH_SIZE, epochs=1, verbose=0, callbacks=extra)
            if index:
                times[name].append(time.perf_counter() - start)
    return min(times["dense"]), min(times["pruned"])


def run_overhead(task, rounds):
    """Pruning-wrapper overhead alone (for a second backend, in a child process)."""
    import keras

    from kerasverse.optimize import sparsity

    x_train, _, y_train, _ = TASKS[task][0]()
    x_train, y_train = x_train[:OVERHEAD_SAMPLES], y_train[:OVERHEAD_SAMPLES]
    steps = int(np.ceil(len(x_train) / BATCH_SIZE))
    keras.utils.set_random_seed(SEED)
    dense = TASKS[task][1](keras)
    compile_model(dense, keras, 1e-3)
    schedule = sparsity.PolynomialDecay(
        0.0, 0.8, begin_step=0, end_step=steps * 10, frequency=max(steps // 4, 1)
    )
    pruned = sparsity.prune_low_magnitude(dense, pruning_schedule=schedule)
    compile_model(pruned, keras, 1e-3)
    dense_s, pruned_s = epoch_times(dense, pruned, x_train, y_train, [sparsity.UpdatePruningStep()], rounds)
    return {"backend": keras.config.backend(), "dense_epoch_s": dense_s, "pruned_epoch_s": pruned_s}


# --------------------------------------------------------------------- ours
TASKS = {
    "digits": (lambda: load_digits(), lambda k: build_cnn(k)),
    "generated": (lambda: load_generated(), lambda k: build_generated_cnn(k)),
}
DESCRIPTIONS = {
    "digits": "scikit-learn digits 8x8 (1347 train / 450 test), "
    "Conv2D(16)-MaxPool-Dense(64)-Dense(10)",
    "generated": "generated 16x16 prototypes, 10 classes (4000 train / 1000 test), "
    "Conv2D(32)-MaxPool-Conv2D(64)-MaxPool-Dense(128)-Dense(10)",
}


def run_ours(task, epochs):
    import keras

    from kerasverse import optimize
    from kerasverse.optimize import clustering
    from kerasverse.optimize import quantization
    from kerasverse.optimize import sparsity

    x_train, x_test, y_train, y_test = TASKS[task][0]()
    steps = int(np.ceil(len(x_train) / BATCH_SIZE))
    keras.utils.set_random_seed(SEED)
    results = {}

    dense = TASKS[task][1](keras)
    compile_model(dense, keras, 1e-3)
    dense.fit(x_train, y_train, batch_size=BATCH_SIZE, epochs=epochs["dense"], verbose=0)
    results["dense_accuracy"] = accuracy(dense, x_test, y_test)
    results["dense_gzip"] = optimize.summary(dense).total_gzip_bytes
    # Uncompiled copy: a .keras file of a compiled model also holds the optimizer state.
    uncompiled = keras.models.clone_model(dense)
    uncompiled.set_weights(dense.get_weights())
    results["dense_file_gzip"] = _gzipped_file(uncompiled.save, ".keras")

    schedule = sparsity.PolynomialDecay(
        0.0, 0.8, begin_step=0, end_step=steps * epochs["prune_end"], frequency=max(steps // 4, 1)
    )
    pruned = sparsity.prune_low_magnitude(dense, pruning_schedule=schedule)
    compile_model(pruned, keras, 1e-3)
    pruned.fit(
        x_train, y_train, batch_size=BATCH_SIZE, epochs=epochs["prune"], verbose=0,
        callbacks=[sparsity.UpdatePruningStep()],
    )
    stripped = sparsity.strip_pruning(pruned)
    report = optimize.summary(stripped)
    results["pruned_accuracy"] = accuracy(stripped, x_test, y_test)
    results["pruned_sparsity"] = 100.0 * report.total_sparsity
    results["pruned_gzip"] = report.total_gzip_bytes
    results["pruned_int8_payload_gzip"] = int8_payload_gzip(stripped.get_weights())
    results["pruned_int8_sparse_gzip"] = int8_sparse_payload_gzip(stripped.get_weights())
    keras_int8 = quantization.post_training_quantize(stripped, "int8")
    results["pruned_keras_int8_gzip"] = optimize.summary(keras_int8).total_gzip_bytes
    results["pruned_keras_int8_accuracy"] = accuracy(keras_int8, x_test, y_test)
    results.update(_litert_int8(stripped, x_train, x_test, y_test))
    results["pruned_kvz"], results["pruned_kvz_accuracy"] = _compressed_file(stripped, "int8", x_test, y_test)
    timing_model = sparsity.prune_low_magnitude(dense, pruning_schedule=schedule)
    compile_model(timing_model, keras, 1e-3)
    results["dense_epoch_s"], results["pruned_epoch_s"] = epoch_times(
        _copy(dense, keras), timing_model, x_train, y_train, [sparsity.UpdatePruningStep()]
    )

    clustered = clustering.cluster_weights(
        dense, number_of_clusters=16, cluster_centroids_init="kmeans_plus_plus", seed=SEED
    )
    compile_model(clustered, keras, 3e-4)
    clustered.fit(x_train, y_train, batch_size=BATCH_SIZE, epochs=epochs["cluster"], verbose=0)
    clustered = clustering.strip_clustering(clustered)
    results["clustered_accuracy"] = accuracy(clustered, x_test, y_test)
    results["clustered_gzip"] = optimize.summary(clustered).total_gzip_bytes
    results["clustered_payload_gzip"] = cluster_payload_gzip(clustered.get_weights())
    results["clustered_kvz"], results["clustered_kvz_accuracy"] = _compressed_file(clustered, None, x_test, y_test)

    comparison = _qat_comparison(dense, x_train, x_test, y_train, y_test, epochs)
    results["qat_accuracy"] = comparison["qat"][0]
    results["ptq_static_accuracy"] = comparison["ptq"][0]
    results["ptq_keras_int8_accuracy"] = accuracy(
        quantization.post_training_quantize(dense, "int8"), x_test, y_test
    )
    results["qat_seeds"] = [comparison] + [_qat_vs_ptq(task, epochs, seed) for seed in range(1, QAT_SEEDS)]
    return results


def _gzipped_file(save, suffix):
    """gzip bytes of the file `save(path)` writes (the dense baseline of tfmot's guides: the saved model, gzipped)."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "model" + suffix)
        save(path)
        with open(path, "rb") as f:
            return len(gzip.compress(f.read(), compresslevel=9, mtime=0))


def _compressed_file(model, quantize, x_test, y_test):
    """Bytes of the `save_compressed` file (config included) and the accuracy of the model loaded back."""
    import tempfile

    from kerasverse import optimize

    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "model.kvz")
        optimize.save_compressed(model, path, quantize=quantize)
        return os.path.getsize(path), accuracy(optimize.load_compressed(path), x_test, y_test)


def _qat_vs_ptq(task, epochs, seed):
    """`_qat_comparison` on one more dense model, trained from `seed` (ours only)."""
    import keras

    x_train, x_test, y_train, y_test = TASKS[task][0]()
    keras.utils.set_random_seed(seed)
    dense = TASKS[task][1](keras)
    compile_model(dense, keras, 1e-3)
    dense.fit(x_train, y_train, batch_size=BATCH_SIZE, epochs=epochs["dense"], verbose=0)
    return _qat_comparison(dense, x_train, x_test, y_train, y_test, epochs)


def _qat_comparison(dense, x_train, x_test, y_train, y_test, epochs):
    """QAT vs static PTQ on one trained dense model, with a fine-tuning control.

    Returns `{"float", "qat", "ptq", "tuned_ptq"}`, each (accuracy %, test
    cross-entropy). QAT fine-tunes the model with fake-quant for
    `epochs["qat"]` epochs (Adam 1e-4). Static PTQ inserts the same
    quantizers and only calibrates their ranges on the training data (one
    pass at learning rate 0). The control fine-tunes the float model with
    the same optimizer and epochs, then applies the same static PTQ: what QAT
    gains over it comes from training with the quantizers, not from the
    extra epochs.
    """
    import keras

    from kerasverse.optimize import quantization

    def static_ptq(model):
        ptq = quantization.quantize_model(model)
        ptq.compile(keras.optimizers.SGD(0.0), keras.losses.SparseCategoricalCrossentropy(from_logits=True))
        ptq.fit(x_train, y_train, batch_size=BATCH_SIZE, epochs=1, verbose=0)
        return ptq

    qat = quantization.quantize_model(dense)
    compile_model(qat, keras, 1e-4)
    qat.fit(x_train, y_train, batch_size=BATCH_SIZE, epochs=epochs["qat"], verbose=0)
    result = {
        "float": accuracy_and_cross_entropy(dense, x_test, y_test),
        "qat": accuracy_and_cross_entropy(qat, x_test, y_test),
        "ptq": accuracy_and_cross_entropy(static_ptq(dense), x_test, y_test),
    }
    tuned = keras.models.clone_model(dense)
    tuned.set_weights(dense.get_weights())
    compile_model(tuned, keras, 1e-4)
    tuned.fit(x_train, y_train, batch_size=BATCH_SIZE, epochs=epochs["qat"], verbose=0)
    result["tuned_ptq"] = accuracy_and_cross_entropy(static_ptq(tuned), x_test, y_test)
    return result


def _litert_int8(model, x_train, x_test, y_test):
    """Full-integer LiteRT file from kerasverse.export.litert, gzipped, and its accuracy."""
    import tempfile

    try:
        from kerasverse.export import litert
    except ImportError as error:  # pragma: no cover - depends on the venv
        print(f"LiteRT int8 row: n/a ({error})")
        return {"pruned_int8_gzip": None, "pruned_int8_accuracy": None}
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "pruned_int8.tflite")
        litert.export(model, path, quantization="int8", representative_data=x_train[:200])
        with open(path, "rb") as file:
            flatbuffer = file.read()
        # Evaluated by TensorFlow's interpreter in a child process (TensorFlow
        # stays out of this one; the bench venv has no ai-edge-litert).
        np.savez(os.path.join(folder, "test.npz"), x=x_test, y=y_test)
        child = subprocess.run(
            [sys.executable, os.path.abspath(__file__), "--eval-tflite", folder],
            capture_output=True, text=True, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
        )
        tflite_accuracy = json.loads(child.stdout.strip().splitlines()[-1]) if not child.returncode else None
    return {
        "pruned_int8_gzip": len(gzip.compress(flatbuffer, compresslevel=9, mtime=0)),
        "pruned_int8_accuracy": tflite_accuracy,
    }


def _eval_tflite(folder):
    import tensorflow as tf

    data = np.load(os.path.join(folder, "test.npz"))
    with open(os.path.join(folder, "pruned_int8.tflite"), "rb") as file:
        return _tflite_accuracy(tf, file.read(), data["x"], data["y"])


def _copy(model, keras):
    clone = keras.models.clone_model(model)
    clone.set_weights(model.get_weights())
    compile_model(clone, keras, 1e-3)
    return clone


# --------------------------------------------------------------------- peer
def run_peer(task, epochs):
    os.environ["TF_USE_LEGACY_KERAS"] = "1"
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import tensorflow as tf
    import tensorflow_model_optimization as tfmot
    import tf_keras

    x_train, x_test, y_train, y_test = TASKS[task][0]()
    steps = int(np.ceil(len(x_train) / BATCH_SIZE))
    tf_keras.utils.set_random_seed(SEED)
    results = {}

    dense = TASKS[task][1](tf_keras)
    compile_model(dense, tf_keras, 1e-3)
    dense.fit(x_train, y_train, batch_size=BATCH_SIZE, epochs=epochs["dense"], verbose=0)
    results["dense_accuracy"] = accuracy(dense, x_test, y_test)
    results["dense_gzip"] = gzip_weights(dense.get_weights())
    results["dense_file_gzip"] = _gzipped_file(lambda path: dense.save(path, include_optimizer=False), ".h5")
    trained_weights = dense.get_weights()

    def fresh():
        # tfmot wraps the given model's own layer objects (and clustering
        # changes their weight lists), so every technique starts from a copy.
        copy = tf_keras.models.clone_model(dense)
        copy.set_weights(trained_weights)
        return copy

    sparsity = tfmot.sparsity.keras

    def make_pruned():
        schedule = sparsity.PolynomialDecay(
            0.0, 0.8, begin_step=0, end_step=steps * epochs["prune_end"], frequency=max(steps // 4, 1)
        )
        model = sparsity.prune_low_magnitude(fresh(), pruning_schedule=schedule)
        compile_model(model, tf_keras, 1e-3)
        return model

    pruned = make_pruned()
    pruned.fit(
        x_train, y_train, batch_size=BATCH_SIZE, epochs=epochs["prune"], verbose=0,
        callbacks=[sparsity.UpdatePruningStep()],
    )
    stripped = sparsity.strip_pruning(pruned)
    kernels = [w for w in stripped.get_weights() if w.ndim >= 2]
    results["pruned_accuracy"] = accuracy(stripped, x_test, y_test)
    results["pruned_sparsity"] = 100.0 * sum(int((k == 0).sum()) for k in kernels) / sum(k.size for k in kernels)
    results["pruned_gzip"] = gzip_weights(stripped.get_weights())
    results["pruned_int8_payload_gzip"] = int8_payload_gzip(stripped.get_weights())
    results["pruned_int8_sparse_gzip"] = int8_sparse_payload_gzip(stripped.get_weights())
    tflite, tflite_accuracy = _tflite_int8(tf, stripped, x_train, x_test, y_test)
    results["pruned_int8_gzip"] = len(gzip.compress(tflite, compresslevel=9, mtime=0))
    results["pruned_int8_accuracy"] = tflite_accuracy
    copy = fresh()
    compile_model(copy, tf_keras, 1e-3)
    results["dense_epoch_s"], results["pruned_epoch_s"] = epoch_times(
        copy, make_pruned(), x_train, y_train, [sparsity.UpdatePruningStep()]
    )

    cluster = tfmot.clustering.keras
    clustered = cluster.cluster_weights(
        fresh(),
        number_of_clusters=16,
        cluster_centroids_init=cluster.CentroidInitialization.KMEANS_PLUS_PLUS,
    )
    compile_model(clustered, tf_keras, 3e-4)
    clustered.fit(x_train, y_train, batch_size=BATCH_SIZE, epochs=epochs["cluster"], verbose=0)
    clustered = cluster.strip_clustering(clustered)
    results["clustered_accuracy"] = accuracy(clustered, x_test, y_test)
    results["clustered_gzip"] = gzip_weights(clustered.get_weights())
    results["clustered_payload_gzip"] = cluster_payload_gzip(clustered.get_weights())

    qat = tfmot.quantization.keras.quantize_model(fresh())
    compile_model(qat, tf_keras, 1e-4)
    qat.fit(x_train, y_train, batch_size=BATCH_SIZE, epochs=epochs["qat"], verbose=0)
    results["qat_accuracy"] = accuracy(qat, x_test, y_test)
    results["ptq_static_accuracy"] = _tflite_int8(tf, fresh(), x_train, x_test, y_test)[1]
    results["ptq_keras_int8_accuracy"] = None
    return results


def _tflite_int8(tf, model, x_train, x_test, y_test):
    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.representative_dataset = lambda: ([x_train[i : i + 1]] for i in range(200))
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    flatbuffer = converter.convert()
    return flatbuffer, _tflite_accuracy(tf, flatbuffer, x_test, y_test)


def _tflite_accuracy(tf, flatbuffer, x_test, y_test):
    """Accuracy (%) of a .tflite model, int8 or float inputs, one sample at a time."""
    interpreter = tf.lite.Interpreter(model_content=flatbuffer)
    interpreter.allocate_tensors()
    input_details = interpreter.get_input_details()[0]
    output_index = interpreter.get_output_details()[0]["index"]
    scale, zero_point = input_details["quantization"]
    predictions = []
    for sample in x_test:
        if input_details["dtype"] != np.float32:
            sample = np.round(sample / scale + zero_point).clip(-128, 255)
        interpreter.set_tensor(input_details["index"], sample[None].astype(input_details["dtype"]))
        interpreter.invoke()
        predictions.append(int(np.argmax(interpreter.get_tensor(output_index))))
    return 100.0 * float(np.mean(np.asarray(predictions) == y_test))


# -------------------------------------------------------------------- table
def _fmt(value, unit=""):
    if value is None:
        return "n/a"
    return f"{value:.4g}{unit}"


def _ratio(ours, peer, higher_is_better):
    if ours is None or peer is None or ours == 0 or peer == 0:
        return "n/a"
    return f"{(ours / peer) if higher_is_better else (peer / ours):.2f}x"


def _div(numerator, denominator):
    return None if not denominator or numerator is None else numerator / denominator


def table(ours, peer):
    peer = peer or {}

    def derived(r):
        if not r:
            return {}
        out = dict(r)
        out["pruned_drop"] = r["dense_accuracy"] - r["pruned_accuracy"]
        out["pruned_factor"] = r["dense_gzip"] / r["pruned_gzip"]
        out["pruned_int8_factor"] = _div(r["dense_gzip"], r.get("pruned_int8_gzip"))
        out["pruned_keras_int8_factor"] = _div(r["dense_gzip"], r.get("pruned_keras_int8_gzip"))
        out["pruned_int8_payload_factor"] = r["dense_gzip"] / r["pruned_int8_payload_gzip"]
        out["pruned_int8_sparse_factor"] = r["dense_gzip"] / r["pruned_int8_sparse_gzip"]
        out["clustered_payload_factor"] = r["dense_gzip"] / r["clustered_payload_gzip"]
        out["pruned_kvz_factor"] = _div(r["dense_gzip"], r.get("pruned_kvz"))
        out["pruned_int8_file_factor"] = _div(r.get("dense_file_gzip"), r.get("pruned_int8_gzip"))
        out["pruned_kvz_file_factor"] = _div(r.get("dense_file_gzip"), r.get("pruned_kvz"))
        out["clustered_kvz_file_factor"] = _div(r.get("dense_file_gzip"), r.get("clustered_kvz"))
        out["clustered_kvz_factor"] = _div(r["dense_gzip"], r.get("clustered_kvz"))
        out["clustered_drop"] = r["dense_accuracy"] - r["clustered_accuracy"]
        out["clustered_factor"] = r["dense_gzip"] / r["clustered_gzip"]
        out["qat_drop"] = r["dense_accuracy"] - r["qat_accuracy"]
        out["overhead"] = 100.0 * (r["pruned_epoch_s"] / r["dense_epoch_s"] - 1.0)
        return out

    o, p = derived(ours), derived(peer)
    spec = [
        ("dense accuracy (%)", "dense_accuracy", "", True),
        ("pruned 80%: accuracy (%)", "pruned_accuracy", "", True),
        ("pruned: kernel sparsity (%)", "pruned_sparsity", "", True),
        ("pruned: accuracy drop (points)", "pruned_drop", "", None),
        ("dense gzip bytes", "dense_gzip", " B", None),
        ("pruned gzip bytes", "pruned_gzip", " B", False),
        ("pruned: gzip compression vs dense", "pruned_factor", "x", True),
        ("pruned + full-int8 .tflite: gzip bytes", "pruned_int8_gzip", " B", False),
        ("pruned + full-int8 .tflite: compression", "pruned_int8_factor", "x", True),
        ("pruned + full-int8 .tflite: accuracy (%)", "pruned_int8_accuracy", "", True),
        ("dense model file (.keras / tfmot .h5), gzipped", "dense_file_gzip", " B", None),
        ("pruned + full-int8 .tflite vs gzipped dense file", "pruned_int8_file_factor", "x", True),
        ("pruned + Keras quantize int8: compression", "pruned_keras_int8_factor", "x", True),
        ("pruned + Keras quantize int8: accuracy (%)", "pruned_keras_int8_accuracy", "", True),
        ("pruned, int8 payload (dense): gzip bytes", "pruned_int8_payload_gzip", " B", False),
        ("pruned, int8 payload (dense): compression", "pruned_int8_payload_factor", "x", True),
        ("pruned, int8 payload (sparse): gzip bytes", "pruned_int8_sparse_gzip", " B", False),
        ("pruned, int8 payload (sparse): compression", "pruned_int8_sparse_factor", "x", True),
        ("pruned + int8 .kvz file: bytes", "pruned_kvz", " B", False),
        ("pruned + int8 .kvz file: compression", "pruned_kvz_factor", "x", True),
        ("pruned + int8 .kvz vs gzipped dense file", "pruned_kvz_file_factor", "x", True),
        ("pruned + int8 .kvz file: accuracy (%)", "pruned_kvz_accuracy", "", True),
        ("16 clusters: accuracy (%)", "clustered_accuracy", "", True),
        ("16 clusters: accuracy drop (points)", "clustered_drop", "", None),
        ("16 clusters: float32 gzip compression", "clustered_factor", "x", True),
        ("16 clusters: codebook+indices compression", "clustered_payload_factor", "x", True),
        ("16 clusters .kvz file: compression", "clustered_kvz_factor", "x", True),
        ("16 clusters .kvz vs gzipped dense file", "clustered_kvz_file_factor", "x", True),
        ("16 clusters .kvz file: accuracy (%)", "clustered_kvz_accuracy", "", True),
        ("QAT int8: accuracy (%)", "qat_accuracy", "", True),
        ("QAT int8: drop vs float (points)", "qat_drop", "", None),
        ("PTQ static int8: accuracy (%)", "ptq_static_accuracy", "", True),
        ("PTQ Keras int8 (dynamic): accuracy (%)", "ptq_keras_int8_accuracy", "", True),
        ("dense epoch time", "dense_epoch_s", " s", False),
        ("pruning-wrapped epoch time", "pruned_epoch_s", " s", False),
        ("pruning wrapper overhead (%)", "overhead", "", None),
    ]
    rows = []
    for case, key, unit, higher in spec:
        ours_value, peer_value = o.get(key), p.get(key)
        rows.append(
            {
                "case": case,
                "kerasverse": _fmt(ours_value, unit),
                "tfmot 0.8.1": _fmt(peer_value, unit),
                "ratio": "-" if higher is None else _ratio(ours_value, peer_value, higher),
            }
        )
    return rows, o


def _seed_mean(results, variant, index):
    """Mean over the QAT seeds of one variant's accuracy (index 0) or cross-entropy (1)."""
    return float(np.mean([seed[variant][index] for seed in results["qat_seeds"]]))


def targets(o):
    seeds = len(o["qat_seeds"])
    checks = [
        ("pruning: accuracy within 1 point", o["pruned_drop"] <= 1.0),
        ("pruning: gzip <= 1/3 of dense", o["pruned_factor"] >= 3.0),
        ("pruning + full-int8 .tflite: gzip <= 1/10", (o["pruned_int8_factor"] or 0) >= 10.0),
        ("pruning + int8 dense payload: gzip <= 1/10", o["pruned_int8_payload_factor"] >= 10.0),
        ("pruning + int8 sparse payload: gzip <= 1/10", o["pruned_int8_sparse_factor"] >= 10.0),
        ("pruning + int8 .kvz file <= 1/10", (o["pruned_kvz_factor"] or 0) >= 10.0),
        ("16 clusters: float32 gzip <= 1/5 of dense", o["clustered_factor"] >= 5.0),
        ("16 clusters: codebook+indices gzip <= 1/5", o["clustered_payload_factor"] >= 5.0),
        ("16 clusters: .kvz file <= 1/5", o["clustered_kvz_factor"] >= 5.0),
        ("16 clusters: accuracy within 1 point", o["clustered_drop"] <= 1.0),
        ("QAT: within 0.5 point of float", o["qat_drop"] <= 0.5),
        ("QAT: better than static PTQ int8, seed-0 accuracy", o["qat_accuracy"] > o["ptq_static_accuracy"]),
        (
            f"QAT: better than static PTQ, mean accuracy over {seeds} seeds",
            _seed_mean(o, "qat", 0) > _seed_mean(o, "ptq", 0),
        ),
        (
            f"QAT: better than static PTQ, mean test cross-entropy over {seeds} seeds",
            _seed_mean(o, "qat", 1) < _seed_mean(o, "ptq", 1),
        ),
        (
            "control (not an issue target): QAT cross-entropy < fine-tuned float + static PTQ",
            _seed_mean(o, "qat", 1) < _seed_mean(o, "tuned_ptq", 1),
        ),
    ]
    return [{"target (kerasverse)": name, "met": "yes" if ok else "NO"} for name, ok in checks]


def _run_task(task, quick):
    epochs = QUICK_EPOCHS if quick else EPOCHS[task]
    ours = run_ours(task, epochs)
    command = [sys.executable, os.path.abspath(__file__), "--peer", "--task", task]
    command += ["--quick"] if quick else []
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    child = subprocess.run(command, capture_output=True, text=True, env=env)
    peer, peer_error = None, None
    if child.returncode == 0:
        peer = json.loads(child.stdout.strip().splitlines()[-1])
    else:
        peer_error = (child.stderr.strip().splitlines() or ["unknown error"])[-1]
    import keras

    rows, derived = table(ours, peer)
    print(
        f"\n## {task}: {DESCRIPTIONS[task]}; epochs {epochs}; "
        f"backend {keras.config.backend()}, {os.cpu_count()} CPU cores, {platform.machine()}"
    )
    if peer_error:
        print(f"tfmot: n/a ({peer_error})")
    print(
        "ratio: above 1 means kerasverse is better "
        "(accuracy/compression: ours/peer; bytes/time: peer/ours)"
    )
    print(harness.format_table(rows, ["case", "kerasverse", "tfmot 0.8.1", "ratio"]))
    print()
    print(
        "kerasverse QAT vs static post-training int8 (same dense model per seed); accuracy % / test "
        "cross-entropy; control = the float model fine-tuned like QAT (same optimizer and epochs), "
        "then static PTQ:"
    )
    seed_rows = _seed_rows(ours["qat_seeds"])
    print(harness.format_table(seed_rows, list(seed_rows[0])))
    print()
    if not quick:
        _print_overhead(task, "torch")
    print()
    print(harness.format_table(targets(derived), ["target (kerasverse)", "met"]))


def _seed_rows(seeds):
    variants = (("float", "float"), ("QAT int8", "qat"), ("static PTQ int8", "ptq"), ("control", "tuned_ptq"))

    def row(label, values):
        cells = {"seed": label}
        for name, key in variants:
            accuracy_value, cross_entropy = values[key]
            cells[name] = f"{accuracy_value:.2f} / {cross_entropy:.4f}"
        qat, ptq = values["qat"], values["ptq"]
        cells["QAT - PTQ"] = f"{qat[0] - ptq[0]:+.2f} / {qat[1] - ptq[1]:+.4f}"
        return cells

    rows = [row(str(index), values) for index, values in enumerate(seeds)]
    stacked = {key: np.array([values[key] for values in seeds]) for _, key in variants}
    rows.append(row("mean", {key: tuple(array.mean(axis=0)) for key, array in stacked.items()}))
    difference = stacked["qat"] - stacked["ptq"]
    spread = {key: tuple(array.std(axis=0, ddof=1)) for key, array in stacked.items()}
    std_row = row("std", spread)
    std_row["QAT - PTQ"] = f"{difference[:, 0].std(ddof=1):.2f} / {difference[:, 1].std(ddof=1):.4f}"
    rows.append(std_row)
    return rows


def _print_overhead(task, backend):
    """Pruning-wrapper overhead on a second backend (a child process)."""
    command = [sys.executable, os.path.abspath(__file__), "--overhead", "--task", task]
    env = {**os.environ, "KERAS_BACKEND": backend, "TF_CPP_MIN_LOG_LEVEL": "3"}
    child = subprocess.run(command, capture_output=True, text=True, env=env)
    if child.returncode:
        tail = (child.stderr.strip().splitlines() or ["unknown error"])[-1]
        print(f"pruning wrapper overhead on {backend}: n/a ({tail})")
        return
    r = json.loads(child.stdout.strip().splitlines()[-1])
    overhead = 100.0 * (r["pruned_epoch_s"] / r["dense_epoch_s"] - 1.0)
    print(
        f"pruning wrapper overhead on {r['backend']} (kerasverse, {OVERHEAD_SAMPLES} samples, "
        f"min of {OVERHEAD_ROUNDS} interleaved epochs): dense {r['dense_epoch_s']:.3f} s, pruning-wrapped "
        f"{r['pruned_epoch_s']:.3f} s per epoch, overhead {overhead:+.1f} %"
    )


# ------------------------------------------------------------ low-bit study
def build_depthwise_cnn(keras_module):
    """A small depthwise-separable CNN for digits (MobileNet-style block)."""
    layers = keras_module.layers
    inputs = keras_module.Input((8, 8, 1))
    x = layers.Conv2D(16, 3, padding="same", activation="relu")(inputs)
    x = layers.DepthwiseConv2D(3, padding="same", activation="relu")(x)
    x = layers.Conv2D(32, 1, activation="relu")(x)
    x = layers.MaxPooling2D()(x)
    x = layers.DepthwiseConv2D(3, padding="same", activation="relu")(x)
    x = layers.Conv2D(32, 1, activation="relu")(x)
    x = layers.GlobalAveragePooling2D()(x)
    return keras_module.Model(inputs, layers.Dense(10)(x))


LOW_BIT_TASKS = {  # (data, model, float epochs)
    "digits": (load_digits, build_cnn, 20),
    "generated": (load_generated, build_generated_cnn, 5),
    "digits-depthwise": (load_digits, build_depthwise_cnn, 30),
}
# (label, weight bits, activation bits, per-channel weights)
LOW_BIT_CONFIGS = (
    ("W8A8", 8, 8, True),
    ("W4A8", 4, 8, True),
    ("W4A8 per-tensor", 4, 8, False),
)
LOW_BIT_SEEDS = 5
LOW_BIT_QAT_EPOCHS = 3
LOW_BIT_LEARNING_RATE = 5e-4


def run_low_bit(task, seeds, quick=False):
    """n-bit QAT vs n-bit static PTQ vs a fine-tuning control, per seed (kerasverse only).

    Per seed: one float model trained from that seed. For each config, PTQ
    inserts the scheme's quantizers (n-bit per-channel or per-tensor
    symmetric weights, n-bit activations) and only calibrates the activation
    ranges (one pass at learning rate 0); QAT fine-tunes with the quantizers
    for `LOW_BIT_QAT_EPOCHS` epochs (Adam 5e-4); the control fine-tunes the
    float model with the same optimizer and epochs (once per seed) and is
    then quantized like PTQ. Returns `{config: {variant: [(acc, xent) per seed]}}`.
    """
    import keras

    from kerasverse.optimize import quantization

    load, build, dense_epochs = LOW_BIT_TASKS[task]
    qat_epochs = 1 if quick else LOW_BIT_QAT_EPOCHS
    dense_epochs = 2 if quick else dense_epochs
    x_train, x_test, y_train, y_test = load()
    results = {label: {"float": [], "ptq": [], "qat": [], "control": []} for label, *_ in LOW_BIT_CONFIGS}

    def scheme_of(bits_w, bits_a, per_channel):
        return quantization.DefaultNBitQuantizeScheme(
            disable_per_axis=not per_channel, num_bits_weight=bits_w, num_bits_activation=bits_a
        )

    def static_ptq(model, scheme):
        # Calibration only: one pass over the training data in training mode
        # (the activation ranges' moving averages move; no weight changes),
        # eagerly, so no model is compiled for it.
        ptq = quantization.quantize_model(model, scheme=scheme)
        for start in range(0, len(x_train), BATCH_SIZE):
            ptq(x_train[start : start + BATCH_SIZE], training=True)
        return ptq

    def evaluate(model):
        logits = np.concatenate(
            [keras.ops.convert_to_numpy(model(x_test[i : i + 500])) for i in range(0, len(x_test), 500)]
        ).astype("float64")
        logits -= logits.max(axis=-1, keepdims=True)
        log_probs = logits - np.log(np.exp(logits).sum(axis=-1, keepdims=True))
        return (
            100.0 * float(np.mean(np.argmax(logits, axis=-1) == y_test)),
            float(-log_probs[np.arange(len(y_test)), y_test].mean()),
        )

    for seed in range(seeds):
        keras.utils.set_random_seed(seed)
        dense = build(keras)
        compile_model(dense, keras, 1e-3)
        dense.fit(x_train, y_train, batch_size=BATCH_SIZE, epochs=dense_epochs, verbose=0)
        control = keras.models.clone_model(dense)
        control.set_weights(dense.get_weights())
        compile_model(control, keras, LOW_BIT_LEARNING_RATE)
        control.fit(x_train, y_train, batch_size=BATCH_SIZE, epochs=qat_epochs, verbose=0)
        float_result = evaluate(dense)
        for label, bits_w, bits_a, per_channel in LOW_BIT_CONFIGS:
            scheme = scheme_of(bits_w, bits_a, per_channel)
            keras.utils.set_random_seed(seed)
            qat = quantization.quantize_model(dense, scheme=scheme)
            compile_model(qat, keras, LOW_BIT_LEARNING_RATE)
            qat.fit(x_train, y_train, batch_size=BATCH_SIZE, epochs=qat_epochs, verbose=0)
            entry = results[label]
            entry["float"].append(float_result)
            entry["qat"].append(evaluate(qat))
            entry["ptq"].append(evaluate(static_ptq(dense, scheme)))
            entry["control"].append(evaluate(static_ptq(control, scheme)))
        seed_results = {label: {k: v[-1] for k, v in entry.items()} for label, entry in results.items()}
        print(json.dumps({"task": task, "seed": seed, "results": seed_results}), file=sys.stderr, flush=True)
    return results


def _low_bit_rows(results):
    rows = []
    for label, entry in results.items():
        stacked = {key: np.array(values) for key, values in entry.items()}
        row = {"config": label}
        for key in ("float", "ptq", "qat", "control"):
            accuracy_values = stacked[key][:, 0]
            row[key] = f"{accuracy_values.mean():.2f} +- {accuracy_values.std(ddof=1) if len(accuracy_values) > 1 else 0:.2f}"
        gain = stacked["qat"][:, 0] - stacked["ptq"][:, 0]
        over_control = stacked["qat"][:, 0] - stacked["control"][:, 0]
        row["QAT - PTQ (pts)"] = f"{gain.mean():+.2f} (min {gain.min():+.2f})"
        row["QAT - control (pts)"] = f"{over_control.mean():+.2f} (min {over_control.min():+.2f})"
        row["goal met"] = "yes" if gain.mean() >= 2.0 and over_control.mean() > 0.5 else "no"
        rows.append(row)
    return rows


def main_low_bit(quick):
    import keras

    tasks = list(LOW_BIT_TASKS)
    if "--task" in sys.argv:
        tasks = [sys.argv[sys.argv.index("--task") + 1]]
    seeds = 1 if quick else LOW_BIT_SEEDS
    if "--seeds" in sys.argv:
        seeds = int(sys.argv[sys.argv.index("--seeds") + 1])
    start = time.perf_counter()
    print(
        f"kerasverse n-bit QAT vs n-bit static PTQ vs fine-tuning control; {seeds} seeds; test accuracy % "
        f"(mean +- std over seeds); QAT/control {1 if quick else LOW_BIT_QAT_EPOCHS} epochs Adam "
        f"{LOW_BIT_LEARNING_RATE}; backend {keras.config.backend()}, {os.cpu_count()} CPU cores"
    )
    everything = {}
    for task in tasks:
        results = run_low_bit(task, seeds, quick)
        everything[task] = results
        print(f"\n## {task}")
        rows = _low_bit_rows(results)
        print(harness.format_table(rows, list(rows[0])))
    print(f"\ntotal wall time {time.perf_counter() - start:.0f} s")
    print(json.dumps(everything))


def main():
    if "--low-bit" in sys.argv:
        main_low_bit("--quick" in sys.argv)
        return
    quick = "--quick" in sys.argv
    tasks = list(TASKS)
    if "--task" in sys.argv:
        tasks = [sys.argv[sys.argv.index("--task") + 1]]
    if "--eval-tflite" in sys.argv:
        print(json.dumps(_eval_tflite(sys.argv[sys.argv.index("--eval-tflite") + 1])))
        return
    if "--overhead" in sys.argv:
        print(json.dumps(run_overhead(tasks[0], OVERHEAD_ROUNDS)))
        return
    if "--peer" in sys.argv:
        task = tasks[0]
        print(json.dumps(run_peer(task, QUICK_EPOCHS if quick else EPOCHS[task])))
        return
    start = time.perf_counter()
    print("kerasverse.optimize vs tfmot 0.8.1 (tf_keras), same data, model and epochs")
    for task in tasks:
        _run_task(task, quick)
    print(f"\ntotal wall time {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
