"""kerasverse.tuner vs keras_tuner 1.4.8 and optuna, side by side in one run.

Cases (each prints a table; a missing peer prints n/a):
1. Bayesian optimization quality: median over seeds of the best value after
   50 trials on Branin (optimum 0.397887) and Hartmann-6 (optimum -3.32237).
2. Oracle overhead per trial with a trivial objective (random search; and
   Bayesian optimization measured over trials 41-50 of the Branin run).
3. Resident memory growth over a search of small CNNs on digits.
3b. Per-trial overhead of a whole `search()` (everything but `run_trial`:
   oracle, storage, heartbeat, memory release, progress), trivial objective,
   random search and Bayesian optimization, ours vs keras_tuner.
4. Pruning: epochs saved by MedianPruner on a digits CNN search, and the
   best accuracy with and without it.

Run: `.venv-bench/bin/python benchmarks/bench_tuner.py [--quick]`
(`--quick`: fewer seeds and trials, for a smoke run).
"""

import argparse
import gc
import importlib.util
import os
import statistics
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "jax")  # Keras alone would default to TensorFlow.

from benchmarks import harness  # noqa: E402

BRANIN_OPTIMUM = 0.397887
HARTMANN6_OPTIMUM = -3.32237


def branin(x1, x2):
    b, c, t = 5.1 / (4 * np.pi**2), 5 / np.pi, 1 / (8 * np.pi)
    return float((x2 - b * x1**2 + c * x1 - 6) ** 2 + 10 * (1 - t) * np.cos(x1) + 10)


_H_ALPHA = np.array([1.0, 1.2, 3.0, 3.2])
_H_A = np.array([[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14],
                 [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14]])
_H_P = 1e-4 * np.array([[1312, 1696, 5569, 124, 8283, 5886], [2329, 4135, 8307, 3736, 1004, 9991],
                        [2348, 1451, 3522, 2883, 3047, 6650], [4047, 8828, 8732, 5743, 1091, 381]])


def hartmann6(**values):
    x = np.array([values[f"x{i}"] for i in range(6)])
    return float(-np.sum(_H_ALPHA * np.exp(-np.sum(_H_A * (x - _H_P) ** 2, axis=1))))


PROBLEMS = {
    "branin": (branin, {"x1": (-5.0, 10.0), "x2": (0.0, 15.0)}, BRANIN_OPTIMUM),
    "hartmann6": (hartmann6, {f"x{i}": (0.0, 1.0) for i in range(6)}, HARTMANN6_OPTIMUM),
}


def _has(module):
    return importlib.util.find_spec(module) is not None


def _oracle_loop(oracle, function, num_trials, times=None, cpu_times=None):
    best = np.inf
    for _ in range(num_trials):
        start, cpu_start = time.perf_counter(), time.process_time()
        trial = oracle.create_trial("tuner0")
        mid, cpu_mid = time.perf_counter(), time.process_time()
        value = function(**trial.hyperparameters.values)
        resume, cpu_resume = time.perf_counter(), time.process_time()
        oracle.update_trial(trial.trial_id, {"y": value})
        trial.status = "COMPLETED"
        oracle.end_trial(trial)
        if times is not None:
            times.append((mid - start) + (time.perf_counter() - resume))
        if cpu_times is not None:
            # CPU time of this process: less sensitive to other jobs' load.
            cpu_times.append((cpu_mid - cpu_start) + (time.process_time() - cpu_resume))
        best = min(best, value)
    return best


def ours_bo(problem, seed, num_trials, directory=None, times=None, cpu_times=None):
    import kerasverse.tuner as kt

    function, bounds, _ = PROBLEMS[problem]
    hp = kt.HyperParameters()
    for name, (low, high) in bounds.items():
        hp.Float(name, low, high)
    oracle = kt.oracles.BayesianOptimizationOracle(
        kt.Objective("y", "min"), max_trials=num_trials, seed=seed, hyperparameters=hp
    )
    if directory:
        oracle._set_project_dir(directory, f"ours_{problem}_{seed}", overwrite=True)
    return _oracle_loop(oracle, function, num_trials, times, cpu_times)


def kt_bo(problem, seed, num_trials, directory, times=None):
    import keras_tuner

    function, bounds, _ = PROBLEMS[problem]
    hp = keras_tuner.HyperParameters()
    for name, (low, high) in bounds.items():
        hp.Float(name, low, high)
    oracle = keras_tuner.oracles.BayesianOptimizationOracle(
        keras_tuner.Objective("y", "min"), max_trials=num_trials, seed=seed, hyperparameters=hp
    )
    oracle._set_project_dir(directory, f"kt_{problem}_{seed}_{time.time_ns()}")
    return _oracle_loop(oracle, function, num_trials, times)


def optuna_tpe(problem, seed, num_trials):
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    function, bounds, _ = PROBLEMS[problem]
    study = optuna.create_study(sampler=optuna.samplers.TPESampler(seed=seed))
    study.optimize(
        lambda t: function(**{n: t.suggest_float(n, lo, hi) for n, (lo, hi) in bounds.items()}),
        n_trials=num_trials,
    )
    return study.best_value


BO_TIMES = {}
BO_CPU_TIMES = []


def bench_quality(args, directory):
    rows = []
    for problem in ("branin", "hartmann6"):
        _, _, optimum = PROBLEMS[problem]
        ours_times = []
        # Seed 0 runs with the default SQLite study, timed for the overhead table.
        ours = [ours_bo(problem, 0, 50, directory, ours_times, BO_CPU_TIMES if problem == "branin" else None)]
        ours += [ours_bo(problem, s, 50) for s in range(1, args.seeds)]
        BO_TIMES.setdefault("ours", ours_times)
        peers = {}
        # keras_tuner's BO takes seconds per trial here: Branin only, seed 1.
        if _has("keras_tuner") and problem == "branin":
            try:
                peer_times = []
                peers["keras_tuner BO"] = [kt_bo(problem, 1, 50, directory, peer_times)]
                BO_TIMES["keras_tuner"] = peer_times
            except Exception as error:  # pragma: no cover - peer failure
                print(f"keras_tuner failed: {error!r}")
        if _has("optuna"):
            peers["optuna TPE"] = [optuna_tpe(problem, s, 50) for s in range(args.seeds)]
        ours_median = statistics.median(ours)
        rows.append({"case": f"{problem} kerasverse GP-BO ({len(ours)} seeds)", "median best": f"{ours_median:.6f}",
                     "gap to optimum": f"{ours_median - optimum:.6f}", "ratio (peer gap / ours)": ""})
        for name, values in peers.items():
            median = statistics.median(values)
            ratio = (median - optimum) / max(ours_median - optimum, 1e-12)
            rows.append({"case": f"{problem} {name} ({len(values)} seeds)", "median best": f"{median:.6f}",
                         "gap to optimum": f"{median - optimum:.6f}", "ratio (peer gap / ours)": f"{ratio:.2f}x"})
    print("\nBayesian optimization, best value after 50 trials, median over seeds")
    print(harness.format_table(rows, ["case", "median best", "gap to optimum", "ratio (peer gap / ours)"]))


def _trivial(**values):
    return float(sum(v for v in values.values() if isinstance(v, float)))


def bench_overhead(args, directory):
    import kerasverse.tuner as kt

    def ours_random(storage_dir):
        hp = kt.HyperParameters()
        hp.Float("a", 0, 1)
        hp.Int("b", 1, 100)
        hp.Choice("c", ["x", "y", "z"])
        oracle = kt.oracles.RandomSearchOracle(kt.Objective("y", "min"), max_trials=100, seed=1, hyperparameters=hp)
        if storage_dir:
            oracle._set_project_dir(storage_dir, f"rs_{time.time_ns()}", overwrite=True)
        times = []
        _oracle_loop(oracle, _trivial, 100, times)
        return statistics.median(times[10:])

    def kt_random():
        import keras_tuner

        hp = keras_tuner.HyperParameters()
        hp.Float("a", 0, 1)
        hp.Int("b", 1, 100)
        hp.Choice("c", ["x", "y", "z"])
        oracle = keras_tuner.oracles.RandomSearchOracle(
            keras_tuner.Objective("y", "min"), max_trials=100, seed=1, hyperparameters=hp
        )
        oracle._set_project_dir(directory, f"kt_rs_{time.time_ns()}")
        times = []
        _oracle_loop(oracle, _trivial, 100, times)
        return statistics.median(times[10:])

    rows = []
    ours_sqlite = ours_random(directory)
    peer = kt_random() if _has("keras_tuner") else None
    rows.append(harness.comparison_row("random: per trial (SQLite study / kt JSON files)", ours_sqlite, peer, unit="ms", scale=1e3) | {})
    rows[-1]["kerasverse"] = f"{ours_sqlite * 1e3:.3g} ms"
    rows[-1]["peer"] = "n/a" if peer is None else f"{peer * 1e3:.3g} ms"
    ours_memory = ours_random(None)
    rows.append({"case": "random: per trial, in memory (no storage)", "kerasverse": f"{ours_memory * 1e3:.3g} ms",
                 "peer": "n/a", "ratio": "n/a"})
    if "ours" not in BO_TIMES:
        BO_TIMES["ours"] = []
        ours_bo("branin", 0, 50, directory, BO_TIMES["ours"], BO_CPU_TIMES)
    ours_bo_ms = statistics.median(BO_TIMES["ours"][40:50])
    peer_times = BO_TIMES.get("keras_tuner")
    peer_bo_ms = statistics.median(peer_times[40:50]) if peer_times else None
    row = harness.comparison_row("bayesian: per trial at trials 41-50", ours_bo_ms, peer_bo_ms)
    row["kerasverse"] = f"{ours_bo_ms * 1e3:.3g} ms"
    row["peer"] = "n/a" if peer_bo_ms is None else f"{peer_bo_ms * 1e3:.3g} ms"
    rows.append(row)
    rows.append({"case": "bayesian: CPU time of this process per trial at 41-50",
                 "kerasverse": f"{statistics.median(BO_CPU_TIMES[40:50]) * 1e3:.3g} ms", "peer": "n/a", "ratio": "n/a"})
    print("\nOracle overhead per trial, trivial objective, median (ratio = keras_tuner / ours)")
    print(harness.format_table(rows, ["case", "kerasverse", "peer", "ratio"]))


def _search_overhead(module, oracle_name, num_trials, directory):
    """Mean seconds per trial of `search()` minus the time spent in
    `run_trial`, for a `Tuner` subclass whose trial returns a number."""
    spent = [0.0]

    class NumberTuner(module.Tuner):
        def run_trial(self, trial, *args, **kwargs):
            start = time.perf_counter()
            hp = trial.hyperparameters
            value = hp.Float("a", 0, 1) + hp.Int("b", 1, 100) / 100 + {"x": 0, "y": 1, "z": 2}[
                hp.Choice("c", ["x", "y", "z"])
            ]
            spent[0] += time.perf_counter() - start
            return value

    oracle = getattr(module.oracles, oracle_name)(
        module.Objective("score", "min"), max_trials=num_trials, seed=1
    )
    tuner = NumberTuner(oracle=oracle, directory=directory,
                        project_name=f"{module.__name__}_{oracle_name}_{time.time_ns()}")
    start = time.perf_counter()
    tuner.search(verbose=0)
    elapsed = time.perf_counter() - start
    assert len(tuner.oracle.trials) == num_trials
    return (elapsed - spent[0]) / num_trials


def bench_search(args, directory):
    import kerasverse.tuner as kt

    num_trials = args.search_trials
    rows = []
    for label, oracle_name in (("random search", "RandomSearchOracle"),
                               ("bayesian optimization", "BayesianOptimizationOracle")):
        # A 5-trial warm-up first: one-time imports (scipy for the GP, Keras)
        # are not per-trial costs.
        _search_overhead(kt, oracle_name, 5, directory)
        ours = _search_overhead(kt, oracle_name, num_trials, directory)
        peer = None
        if _has("keras_tuner"):
            import keras_tuner

            _search_overhead(keras_tuner, oracle_name, 5, directory)
            peer = _search_overhead(keras_tuner, oracle_name, num_trials, directory)
        row = harness.comparison_row(label, ours, peer)
        row["kerasverse"] = f"{ours * 1e3:.3g} ms"
        row["peer"] = "n/a" if peer is None else f"{peer * 1e3:.3g} ms"
        rows.append(row)
    print(f"\nsearch() overhead per trial (all but run_trial), trivial objective, mean over "
          f"{num_trials} trials (ratio = keras_tuner / ours; target <= 50 ms)")
    print(harness.format_table(rows, ["case", "kerasverse", "peer", "ratio"]))


def _digits():
    from sklearn.datasets import load_digits

    data = load_digits()
    x = (data.images / 16.0).astype("float32")[..., None]
    y = data.target.astype("int32")
    return x[:1200], y[:1200], x[1200:], y[1200:]


def build_cnn(hp):
    import keras

    model = keras.Sequential([
        keras.Input((8, 8, 1)),
        keras.layers.Conv2D(hp.Int("filters", 4, 32, step=4), 3, activation="relu"),
        keras.layers.Flatten(),
        keras.layers.Dense(hp.Int("units", 8, 64, step=8), activation="relu"),
        keras.layers.Dense(10, activation="softmax"),
    ])
    model.compile(
        keras.optimizers.Adam(hp.Float("lr", 1e-4, 3e-2, sampling="log")),
        "sparse_categorical_crossentropy", metrics=["accuracy"],
    )
    return model


def bench_memory(args, directory):
    import psutil

    import kerasverse.tuner as kt

    x, y, xv, yv = _digits()
    process = psutil.Process()
    tuner = kt.RandomSearch(build_cnn, "val_accuracy", max_trials=5, seed=0, directory=directory,
                            project_name="mem_warm", overwrite=True, verbose=0)
    tuner.search(x, y, epochs=1, validation_data=(xv, yv), verbose=0, batch_size=64)
    gc.collect()
    before = process.memory_info().rss
    tuner = kt.RandomSearch(build_cnn, "val_accuracy", max_trials=args.memory_trials, seed=1,
                            directory=directory, project_name="mem", overwrite=True, verbose=0)
    tuner.search(x, y, epochs=1, validation_data=(xv, yv), verbose=0, batch_size=64)
    gc.collect()
    growth = (process.memory_info().rss - before) / 2**20
    print(f"\nResident memory growth over {args.memory_trials} trials of a small CNN on digits "
          f"(after 5 warm-up trials): {growth:.1f} MB (target < 100 MB)")


def bench_pruning(args, directory):
    import kerasverse.tuner as kt

    x, y, xv, yv = _digits()
    results = {}
    for name, pruner in (("no pruning", None), ("MedianPruner", kt.MedianPruner())):
        tuner = kt.RandomSearch(build_cnn, "val_accuracy", max_trials=args.pruning_trials, seed=3,
                                directory=directory, project_name=f"prune_{name}", overwrite=True,
                                verbose=0, pruner=pruner)
        start = time.perf_counter()
        tuner.search(x, y, epochs=args.epochs, validation_data=(xv, yv), verbose=0, batch_size=64)
        elapsed = time.perf_counter() - start
        trials = tuner.oracle.trials.values()
        epochs = sum(len(t.intermediate_values) for t in trials)
        best = tuner.oracle.get_best_trials(1)[0].score
        pruned = sum(t.status == "PRUNED" for t in trials)
        results[name] = (epochs, best, pruned, elapsed)
    base_epochs = results["no pruning"][0]
    rows = []
    for name, (epochs, best, pruned, elapsed) in results.items():
        rows.append({"case": name, "epochs run": str(epochs), "epochs saved": f"{100 * (1 - epochs / base_epochs):.0f} %",
                     "pruned trials": str(pruned), "best val_accuracy": f"{best:.4f}", "time": f"{elapsed:.1f} s"})
    print(f"\nPruning on a digits CNN, {args.pruning_trials} trials x {args.epochs} epochs, same random search seed")
    print(harness.format_table(rows, ["case", "epochs run", "epochs saved", "pruned trials", "best val_accuracy", "time"]))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", nargs="+", choices=["quality", "overhead", "search", "memory", "pruning"])
    args = parser.parse_args()
    args.seeds = 3 if args.quick else 10
    args.memory_trials = 10 if args.quick else 50
    args.search_trials = 20 if args.quick else 50
    args.pruning_trials = 10 if args.quick else 30
    args.epochs = 4 if args.quick else 6
    backend = os.environ.get("KERAS_BACKEND", "jax")
    print(f"Machine: {os.cpu_count()} CPU cores; KERAS_BACKEND={backend}; keras_tuner "
          f"{'installed' if _has('keras_tuner') else 'missing'}; optuna {'installed' if _has('optuna') else 'missing'}")
    with tempfile.TemporaryDirectory() as directory:
        for name, bench in (("quality", bench_quality), ("overhead", bench_overhead),
                            ("search", bench_search), ("memory", bench_memory),
                            ("pruning", bench_pruning)):
            if args.only is None or name in args.only:
                bench(args, directory)


if __name__ == "__main__":
    main()
