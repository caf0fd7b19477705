"""kerasverse.automl vs autokeras 3.0.0: test score and search wall time, plus a forecaster.

Each (task, seed) search runs in its own child process, one at a time:
ours under `.venv` (KERAS_BACKEND=torch: eager, no per-model XLA compile, fastest for small searches), autokeras 3.0.0 under
`.venv-bench-automl` (it needs keras<3.13 and TensorFlow; `make bench` builds it, or
`make .venv-bench-automl/.installed`, with the pinned versions in the Makefile's `AUTOML_PEERS`).

Offline search spaces on both sides: digits uses `AutoModel(ImageInput ->
ImageBlock(block_type="vanilla") -> ClassificationHead)` on both sides
(autokeras' ImageClassifier reaches ResNet50/EfficientNetB7 at 224x224 by
trial 2); tables and text use each library's task class with its default
tuner. Same `max_trials`, same `epochs`, same train/test split per seed.

Both sides are seeded alike (autokeras: `keras.utils.set_random_seed(seed)`; ours: the
Python, NumPy and torch seeds that call sets, without the TensorFlow import it makes).
Each child keeps its library's defaults: no thread or OpenMP settings (one intra-op thread
would speed up both). (Earlier runs set
`OMP_WAIT_POLICY=PASSIVE` for both, which protects torch's spinning OpenMP workers on a
loaded machine but costs it about 25% on a quiet one; TensorFlow does not read it. Run the
bench on a quiet machine.)

Every search is checked: each child reports how many trials ran (completed, or pruned by
our tuner), and a side with failed trials is flagged in the table. (autokeras 3.0.0's tuner, keras-tuner
1.4.8, imports `tensorboard` in every trial on the TensorFlow backend, and tensorflow-cpu
2.21 no longer installs it: without `tensorboard` in its venv every autokeras trial fails
and only its final refit trains. Runs before 2026-12-06 compared against that.)

Run: `.venv/bin/python benchmarks/bench_automl.py [--seeds 3] [--max-trials 2] [--epochs 5]`
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
# Ours: the repository's `.venv`, else the interpreter running this script
# (a worktree without its own `.venv` runs the bench with the main checkout's).
OURS_PY = os.path.join(ROOT, ".venv", "bin", "python")
if not os.path.exists(OURS_PY):
    OURS_PY = sys.executable
PEER_PY = os.path.join(ROOT, ".venv-bench-automl", "bin", "python")
TASKS = ("digits", "breast_cancer", "wine", "diabetes", "text")


def text_task(seed, n=1200):
    """A generated sentiment-like task: the label is set by which cue words a
    sentence holds among filler words."""
    rng = np.random.default_rng(seed)
    positive = ["great", "superb", "lovely", "brilliant", "moving"]
    negative = ["awful", "dull", "boring", "terrible", "weak"]
    filler = [f"word{i}" for i in range(300)]
    texts, labels = [], []
    for _ in range(n):
        label = int(rng.integers(2))
        cues = rng.choice(positive if label else negative, 2)
        words = list(rng.choice(filler, 12)) + list(cues)
        rng.shuffle(words)
        texts.append(" ".join(words))
        labels.append(label)
    return np.array(texts), np.array(labels)


def load(task, seed):
    from sklearn import datasets
    from sklearn.model_selection import train_test_split

    if task == "text":
        x, y = text_task(seed)
    else:
        loader = {"digits": datasets.load_digits, "breast_cancer": datasets.load_breast_cancer,
                  "wine": datasets.load_wine, "diabetes": datasets.load_diabetes}[task]
        x, y = loader(return_X_y=True)
        x = x.astype("float32")
        if task == "digits":
            x = x.reshape(-1, 8, 8)
    return train_test_split(x, y, test_size=0.25, random_state=seed)


def run_one(side, task, seed, max_trials, epochs):
    """In the child: one search; prints a JSON line with score and wall time."""
    if side == "ours":
        import kerasverse.automl as ak
    else:
        import autokeras as ak
    import keras

    if side == "autokeras":
        keras.utils.set_random_seed(seed)
    else:
        # What keras.utils.set_random_seed does, without the TensorFlow import it makes when
        # TensorFlow is installed: Python's seed (Keras' unseeded initializers draw from it after
        # each clear_session), NumPy's and torch's (the batch shuffling).
        import random

        random.seed(seed)
        np.random.seed(seed)
        if keras.backend.backend() == "torch":
            import torch

            torch.manual_seed(seed)
    x_train, x_test, y_train, y_test = load(task, seed)
    directory = tempfile.mkdtemp()
    common = dict(max_trials=max_trials, overwrite=True, seed=seed, directory=directory)
    if task == "digits":
        node = ak.ImageInput()
        out = ak.ClassificationHead()(ak.ImageBlock(block_type="vanilla")(node))
        model = ak.AutoModel(node, out, **common)
    elif task == "text":
        model = ak.TextClassifier(**common)
    elif task == "diabetes":
        model = ak.StructuredDataRegressor(**common)
    else:
        model = ak.StructuredDataClassifier(**common)
    start = time.perf_counter()
    model.fit(x_train, y_train, epochs=epochs, verbose=0)
    wall = time.perf_counter() - start
    trials = list(model.tuner.oracle.trials.values())
    # Trials that trained to the end or were pruned (ours) count; failed ones do not.
    completed = sum(str(t.status) in ("COMPLETED", "PRUNED") for t in trials)
    note = ""
    try:
        predicted = np.asarray(model.predict(x_test, verbose=0))
    except FileNotFoundError:
        # autokeras 3.0.0's predict() serves the best trial's checkpoint, which is missing when its
        # trials failed (e.g. no `tensorboard`, see the docstring; the table flags that): score its
        # refitted best_model.keras instead.
        note = "scored autokeras' refitted best_model.keras (its predict() found no checkpoint)"
        pipeline = model.tuner.get_best_pipeline()
        best = keras.models.load_model(model.tuner.best_model_path, custom_objects=ak.CUSTOM_OBJECTS)
        dataset = pipeline.transform_x(model._adapt(x_test, model.inputs))
        predicted = np.asarray(pipeline.postprocess(best.predict(dataset, verbose=0)))
    if task == "diabetes":
        score = float(np.mean((predicted.reshape(-1).astype(float) - y_test) ** 2))
    else:
        predicted = predicted.reshape(len(y_test), -1)
        if predicted.dtype.kind == "f" and predicted.shape[1] > 1:  # probabilities
            predicted = np.unique(y_train)[predicted.argmax(axis=1)]
        elif predicted.dtype.kind == "f" and not np.isin(predicted, np.unique(y_train)).all():
            predicted = np.unique(y_train)[(predicted[:, 0] > 0.5).astype(int)]
        predicted = predicted.reshape(-1)
        try:  # labels such as "1" or "1.0" from a string postprocessor compare as numbers
            score = float(np.mean(predicted.astype(float) == y_test.astype(float)))
        except ValueError:
            score = float(np.mean(predicted.astype(str) == y_test.astype(str)))
    print("RESULT " + json.dumps({"side": side, "task": task, "seed": seed, "score": score, "wall": wall,
                                   "trials": len(trials), "completed": completed, "note": note, "first_predictions": predicted.reshape(-1)[:3].tolist()}))


def child(side, task, seed, max_trials, epochs):
    python = OURS_PY if side == "ours" else PEER_PY
    if not os.path.exists(python):
        return {"error": f"{python} missing"}
    # Each library's defaults: no thread or OpenMP settings (see the module docstring).
    env = {key: value for key, value in os.environ.items() if key not in ("OMP_WAIT_POLICY", "OMP_NUM_THREADS")}
    env.update({"KERAS_BACKEND": "torch" if side == "ours" else "tensorflow",
                "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONPATH": ROOT})
    command = [python, __file__, "--child", side, task, str(seed), str(max_trials), str(epochs)]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=1800)
    for line in done.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    return {"error": (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]}


def forecast_baselines(seed, lookback=24, season=24):
    """A seasonal series with trend and noise: our forecaster vs seasonal-naive
    and a numpy least-squares AR(lookback), MAE on the last 20%."""
    import kerasverse.automl as ak

    rng = np.random.default_rng(seed)
    steps = np.arange(1200)
    series = 0.01 * steps + 2 * np.sin(2 * np.pi * steps / season) + rng.normal(0, 0.3, len(steps))
    cut = int(len(series) * 0.8)
    targets = series[lookback:]  # the step after each window
    windows = np.lib.stride_tricks.sliding_window_view(series[:-1], lookback)
    test_rows = np.arange(cut - lookback, len(targets))
    truth = targets[test_rows]
    naive = series[lookback + test_rows - season]
    design = np.c_[windows, np.ones(len(windows))]
    coef, *_ = np.linalg.lstsq(design[: cut - lookback], targets[: cut - lookback], rcond=None)
    ar = design[test_rows] @ coef
    start = time.perf_counter()
    forecaster = ak.TimeseriesForecaster(lookback=lookback, max_trials=2, overwrite=True, seed=seed,
                                         directory=tempfile.mkdtemp())
    forecaster.fit(series[:cut, None], series[:cut], epochs=30, verbose=0)
    wall = time.perf_counter() - start
    predicted = forecaster.predict(series[cut - lookback: -1, None], verbose=0).reshape(-1)
    return {
        "ours": float(np.mean(np.abs(predicted - truth))),
        "seasonal_naive": float(np.mean(np.abs(naive - truth))),
        "linear_ar": float(np.mean(np.abs(ar - truth))),
        "wall": wall,
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", nargs=5)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--max-trials", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--tasks", default=",".join(TASKS))
    parser.add_argument("--skip-forecast", action="store_true")
    args = parser.parse_args()
    if args.child:
        side, task, seed, max_trials, epochs = args.child
        run_one(side, task, int(seed), int(max_trials), int(epochs))
        return
    print(f"bench_automl: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} at start; "
          f"ours KERAS_BACKEND=torch, autokeras 3.0.0 on TensorFlow, library defaults on both sides; "
          f"max_trials={args.max_trials}, epochs={args.epochs}, seeds={args.seeds}", flush=True)
    rows = []
    for task in [t for t in args.tasks.split(",") if t]:
        results = {"ours": [], "autokeras": []}
        for seed in range(args.seeds):
            for side in ("ours", "autokeras"):
                result = child(side, task, seed, args.max_trials, args.epochs)
                print(f"  {task} seed={seed} {side}: {result}", flush=True)
                results[side].append(result)
        rows.append((task, results))
    metric = {"diabetes": "test MSE (lower)"}
    print()
    print("| task | metric | ours | autokeras 3.0.0 | ours wall s | autokeras wall s | wall ratio (ours/ak) "
          "| trials run (ours / ak) |")
    print("|---|---|---|---|---|---|---|---|")
    def mean(results, side, key):
        values = [r[key] for r in results[side] if key in r]
        return float(np.mean(values)) if values else float("nan")

    def completed(results, side):
        done = sum(r.get("completed", 0) for r in results[side])
        wanted = args.max_trials * len(results[side])
        return f"{done}/{wanted}" + ("" if done == wanted else " (INCOMPLETE SEARCH)")

    for task, results in rows:
        ratio = mean(results, "ours", "wall") / mean(results, "autokeras", "wall")
        print(f"| {task} | {metric.get(task, 'test accuracy')} | {mean(results, 'ours', 'score'):.4f} | "
              f"{mean(results, 'autokeras', 'score'):.4f} | {mean(results, 'ours', 'wall'):.1f} | {mean(results, 'autokeras', 'wall'):.1f} | "
              f"{ratio:.2f} | {completed(results, 'ours')} / {completed(results, 'autokeras')} |", flush=True)
    if rows:
        ours = np.mean([mean(results, "ours", "wall") for _, results in rows])
        theirs = np.mean([mean(results, "autokeras", "wall") for _, results in rows])
        print(f"\nmean search wall time over the tasks: ours {ours:.1f} s, autokeras {theirs:.1f} s "
              f"({ours / theirs:.2f}x)", flush=True)
    if not args.skip_forecast:
        os.environ.setdefault("KERAS_BACKEND", "torch")
        print()
        print("| forecast seed | ours MAE | seasonal-naive MAE | numpy linear AR MAE | ours wall s |")
        print("|---|---|---|---|---|")
        for seed in range(args.seeds):
            result = forecast_baselines(seed)
            print(f"| {seed} | {result['ours']:.4f} | {result['seasonal_naive']:.4f} | {result['linear_ar']:.4f} | "
                  f"{result['wall']:.1f} |", flush=True)


if __name__ == "__main__":
    main()
