"""Import cost: `import kerasverse.<sub>` vs the peer library it replaces.

Each import runs in a fresh interpreter (an import is only cold once per
process), median of N runs. Peers that are not installed show "n/a".

Run: `make bench` or `.venv-bench/bin/python benchmarks/bench_import.py`.
"""

import importlib.util
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from benchmarks import harness  # noqa: E402

PAIRS = [
    ("kerasverse", "keras"),
    ("kerasverse.tuner", "keras_tuner"),
    ("kerasverse.nlp", "keras_hub"),
    ("kerasverse.cv", "keras_cv"),
    ("kerasverse.optimize", "tensorflow_model_optimization"),
]


def _import_seconds(module):
    code = f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
    env = {**os.environ, "KERAS_BACKEND": os.environ.get("KERAS_BACKEND", "jax"), "TF_CPP_MIN_LOG_LEVEL": "3"}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    if result.returncode != 0:
        return None
    return float(result.stdout.strip().splitlines()[-1])


def _median_import(module, repeat):
    top = module.split(".")[0]
    if importlib.util.find_spec(top) is None:
        return None
    runs = [_import_seconds(module) for _ in range(repeat)]
    if any(r is None for r in runs):
        return None
    return harness.Timing(module, sorted(runs)[len(runs) // 2], runs)


def main(repeat=3):
    rows = []
    for ours, peer in PAIRS:
        ours_timing = _median_import(ours, repeat)
        if ours_timing is None:
            continue  # That subpackage has not landed yet.
        peer_timing = _median_import(peer, repeat)
        row = harness.comparison_row(f"import {ours} vs {peer}", ours_timing, peer_timing, unit="s")
        rows.append(row)
    print(f"Import time, fresh interpreter, median of {repeat} (ratio = peer / ours)")
    print(harness.format_table(rows, ["case", "kerasverse", "peer", "ratio"]))
    return rows


if __name__ == "__main__":
    main()
