"""kerasverse.pipeline: StatisticsGen's statistics on a generated ~1 GB CSV vs TFDV (or pandas),
and the penguin pipeline end to end, cold and cached.

Cases:
1. Statistics of a generated CSV (default 1024 MB: 8 numeric columns with missing
   values, 4 categorical ones): kerasverse's streamed `generate_statistics_from_csv`
   (pyarrow's multithreaded CSV reader in a background thread, vectorised per-batch
   aggregates, no Python per row) against TFDV's `generate_statistics_from_csv`
   (Beam DirectRunner) from `.venv-bench-pipeline` when it imports there, else
   pandas `read_csv` + `describe()` + `value_counts()`. Each side runs in a fresh
   process that reports its wall time, its CPU time (user + sys of all its threads: the
   figure that survives a loaded machine) and peak RSS; both must agree on every
   numeric mean and every top value before the times count.
2. The penguin pipeline (examples/penguin_pipeline.py, 60 training steps, 1 tuner
   trial): cold run, then the same pipeline again (all components CACHED).

TFDV on 2026-12-06: `pip install tensorflow-data-validation` (1.16.1, the newest on the index)
in a fresh Python 3.11 venv backtracked for 24 minutes over apache-beam[gcp] / tensorflow 2.16 /
pyarrow<11 pins without installing anything, so that run compared against pandas; a Beam
DirectRunner pass over 1 GB would also not have fitted the session.

Run: `.venv/bin/python benchmarks/bench_pipeline.py [--size-mb 1024] [--skip-penguin]`
(the TFDV peer: `python3 -m venv .venv-bench-pipeline && .venv-bench-pipeline/bin/pip
install tensorflow-data-validation`).
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, REPO)
os.environ.setdefault("KERAS_BACKEND", "jax")  # Keras alone would default to TensorFlow.

from benchmarks import harness  # noqa: E402

NUMERIC = [f"num_{i}" for i in range(8)]
CATEGORICAL = [f"cat_{i}" for i in range(4)]
TFDV_PYTHON = os.path.join(REPO, ".venv-bench-pipeline", "bin", "python")

OURS = r"""
import json, resource, sys, time
sys.path.insert(0, sys.argv[2])
start = time.perf_counter()
from kerasverse.pipeline.data.statistics import generate_statistics_from_csv
dataset = generate_statistics_from_csv(sys.argv[1])["datasets"][0]
seconds = time.perf_counter() - start
means = {f["name"]: f["num_stats"]["mean"] for f in dataset["features"] if "num_stats" in f}
tops = {f["name"]: f["string_stats"]["top_values"][0]["value"] for f in dataset["features"] if "string_stats" in f}
print(json.dumps({"seconds": seconds, "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "cpu_s": sum(resource.getrusage(resource.RUSAGE_SELF)[:2]),
                  "means": means, "tops": tops, "rows": dataset["num_examples"]}))
"""

TFDV = r"""
import json, os, resource, sys, time
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
start = time.perf_counter()
import tensorflow_data_validation as tfdv
stats = tfdv.generate_statistics_from_csv(sys.argv[1])
seconds = time.perf_counter() - start
dataset = stats.datasets[0]
means, tops = {}, {}
for feature in dataset.features:
    name = feature.path.step[0]
    if feature.HasField("num_stats"):
        means[name] = feature.num_stats.mean
    else:
        tops[name] = feature.string_stats.top_values[0].value
print(json.dumps({"seconds": seconds, "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "cpu_s": sum(resource.getrusage(resource.RUSAGE_SELF)[:2]),
                  "means": means, "tops": tops, "rows": dataset.num_examples, "peer": "TFDV " + tfdv.__version__}))
"""

PANDAS = r"""
import json, resource, sys, time
start = time.perf_counter()
import pandas as pd
frame = pd.read_csv(sys.argv[1])
described = frame.describe()
tops = {c: str(frame[c].value_counts().index[0]) for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c])}
seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "cpu_s": sum(resource.getrusage(resource.RUSAGE_SELF)[:2]),
                  "means": {c: float(described[c]["mean"]) for c in described.columns}, "tops": tops,
                  "rows": len(frame), "peer": "pandas " + pd.__version__ + " read_csv + describe + value_counts"}))
"""


def generate_csv(path, size_mb, seed=0):
    """Writes a CSV of about `size_mb` MB (fixed seed), in chunks."""
    import pyarrow as pa
    import pyarrow.csv as pa_csv

    rng = np.random.default_rng(seed)
    chunk = 100_000
    words = np.array([f"value_{i:02d}" for i in range(40)])
    with pa_csv.CSVWriter(path, pa.schema([(n, pa.float64()) for n in NUMERIC] + [(c, pa.string()) for c in CATEGORICAL])) as writer:
        while os.path.getsize(path) < size_mb * 1024 * 1024:
            columns = {}
            for i, name in enumerate(NUMERIC):
                values = np.round(rng.normal(i, 1 + i, chunk), 3)
                mask = rng.random(chunk) < 0.02
                columns[name] = pa.array(values, mask=mask)
            for i, name in enumerate(CATEGORICAL):
                probabilities = rng.dirichlet(np.ones(10 * (i + 1)))
                columns[name] = pa.array(rng.choice(words[: 10 * (i + 1)], chunk, p=probabilities))
            writer.write_table(pa.table(columns))


def run_worker(python, script, csv_path):
    result = subprocess.run([python, "-c", script, csv_path, REPO], capture_output=True, text=True,
                            env={**os.environ, "KERAS_BACKEND": os.environ["KERAS_BACKEND"]})
    if result.returncode != 0:
        raise RuntimeError(result.stderr[-2000:])
    return json.loads(result.stdout.strip().splitlines()[-1])


def statistics_case(size_mb, workdir):
    path = os.path.join(workdir, f"generated_{size_mb}mb.csv")
    if not os.path.exists(path):
        start = time.perf_counter()
        generate_csv(path, size_mb)
        print(f"generated {path} ({os.path.getsize(path) / 2**20:.0f} MB) in {time.perf_counter() - start:.0f} s")
    ours = run_worker(sys.executable, OURS, path)
    peer, reason = None, ""
    if os.path.exists(TFDV_PYTHON):
        try:
            peer = run_worker(TFDV_PYTHON, TFDV, path)
        except RuntimeError as error:
            reason = f"TFDV failed in .venv-bench-pipeline: {str(error).strip().splitlines()[-1]}"
    else:
        reason = ".venv-bench-pipeline (TFDV) does not exist"
    if peer is None:
        print(f"peer: pandas, because {reason}")
        peer = run_worker(sys.executable, PANDAS, path)
    for name in NUMERIC:
        assert abs(ours["means"][name] - peer["means"][name]) < 1e-6 * max(1.0, abs(peer["means"][name])), name
    for name in CATEGORICAL:
        assert ours["tops"][name] == peer["tops"][name], name
    assert ours["rows"] == peer["rows"]
    print(f"both agree on {len(NUMERIC)} means, {len(CATEGORICAL)} top values and {ours['rows']} rows; "
          f"peer = {peer['peer']}")
    rows = [
        harness.comparison_row(f"statistics of a {size_mb} MB CSV, wall", ours["seconds"], peer["seconds"]),
        harness.comparison_row("  CPU time (user + sys, all threads)", ours["cpu_s"], peer["cpu_s"]),
        harness.comparison_row("peak RSS", ours["peak_rss_mb"], peer["peak_rss_mb"], unit="MB"),
        harness.comparison_row("throughput", size_mb / ours["seconds"], size_mb / peer["seconds"], unit="MB/s",
                               higher_is_better=True),
    ]
    return rows


PENGUIN = r"""
import json, os, sys, tempfile, time
sys.path.insert(0, os.path.join(sys.argv[2], "examples")); sys.path.insert(0, sys.argv[2])
import shutil
start = time.perf_counter()
import penguin_pipeline as pp
from kerasverse import pipeline as tfx
workdir = tempfile.mkdtemp()
data = os.path.join(workdir, "data"); os.makedirs(data); shutil.copy(pp.penguins_csv(), data)
p = pp.create_pipeline("penguin", os.path.join(workdir, "root"), data, pp.__file__, os.path.join(workdir, "serving"),
                       os.path.join(workdir, "metadata.sqlite"), train_steps=60, tuner_steps=20, max_trials=1)
imported = time.perf_counter()
cold = tfx.orchestration.LocalDagRunner().run(p)
cold_s = time.perf_counter() - imported
start2 = time.perf_counter()
cached = tfx.orchestration.LocalDagRunner().run(p)
cached_s = time.perf_counter() - start2
assert set(cold.values()) == {"COMPLETE"} and set(cached.values()) == {"CACHED"}, (dict(cold), dict(cached))
print(json.dumps({"import_s": imported - start, "cold_s": cold_s, "cached_s": cached_s}))
"""


def penguin_case():
    result = run_worker(sys.executable, PENGUIN, "")
    return [
        harness.comparison_row("penguin pipeline, cold (10 nodes)", result["cold_s"], None),
        harness.comparison_row("penguin pipeline, cached rerun", result["cached_s"], None),
        harness.comparison_row("  (import of Keras + kerasverse.pipeline)", result["import_s"], None),
    ]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=1024)
    parser.add_argument("--workdir", default=os.path.join(tempfile.gettempdir(), "kerasverse_bench_pipeline"))
    parser.add_argument("--skip-penguin", action="store_true")
    args = parser.parse_args()
    os.makedirs(args.workdir, exist_ok=True)
    print(f"machine: {os.cpu_count()} cores, KERAS_BACKEND={os.environ['KERAS_BACKEND']}")
    rows = statistics_case(args.size_mb, args.workdir)
    columns = ["case", "kerasverse", "peer", "ratio"]
    print("\nStatistics of a generated CSV, one fresh process per side (ratio > 1: kerasverse is better)")
    print(harness.format_table(rows, columns))
    if not args.skip_penguin:
        print("\nThe penguin pipeline end to end, LocalDagRunner (no peer: TFX needs TensorFlow)")
        print(harness.format_table(penguin_case(), ["case", "kerasverse"]))


if __name__ == "__main__":
    main()
