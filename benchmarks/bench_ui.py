"""`kerasverse ui` vs optuna-dashboard: opening a study of 10,000 trials.

Both sides get the same 10,000 trials (three hyperparameters, five
intermediate values each, a mix of COMPLETED/PRUNED/FAILED) in their own
SQLite storage, and are served on localhost. "Open" is what a browser fetches
to show the study: for us the study page (summary + first page of the trials
table, paged in SQL) and the figures route (history, intermediate values,
parallel coordinates, importance); for optuna-dashboard its study route with
every trial (`/api/studies/ID?after=0`, what its page loads) and its parameter
importances. Our figures and importance are separate routes so the page draws
the table and history before the (random-forest) importance arrives. First open (cold caches) once, then the median of 5 warm opens.
Also: the Pipelines page over a metadata store of 1,000 runs (ours only: no
peer reads our store).

Run: .venv-bench/bin/python benchmarks/bench_ui.py  (KERAS_BACKEND=jax)
"""

import os

os.environ.setdefault("KERAS_BACKEND", "jax")

import math  # noqa: E402
import random  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402

import httpx  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from benchmarks import harness  # noqa: E402

NUM_TRIALS = 10_000
NUM_RUNS = 1_000
STATUSES = ["COMPLETED"] * 8 + ["PRUNED", "FAILED"]


def synthetic_trials(n, seed=0):
    rng = random.Random(seed)
    trials = []
    for _ in range(n):
        lr = 10 ** rng.uniform(-5, -1)
        units = rng.randint(8, 512)
        activation = rng.choice(["relu", "tanh", "gelu"])
        score = (math.log10(lr) + 3) ** 2 + abs(units - 128) / 256 + rng.random() * 0.1
        status = rng.choice(STATUSES)
        steps = 5 if status != "PRUNED" else 2
        intermediate = {s: score * (1 + 1 / (s + 1)) for s in range(steps)}
        trials.append({
            "lr": lr, "units": units, "activation": activation, "status": status,
            "score": None if status == "FAILED" else score, "intermediate": intermediate,
        })
    return trials


def build_ours(folder, trials):
    from kerasverse.tuner.engine.hyperparameters import HyperParameters
    from kerasverse.tuner.engine.trial import Trial
    from kerasverse.tuner.storage import SQLStorage

    hp = HyperParameters()
    hp.Float("lr", 1e-5, 1e-1, sampling="log")
    hp.Int("units", 8, 512)
    hp.Choice("activation", ["relu", "tanh", "gelu"])
    project = os.path.join(folder, "big")
    os.makedirs(project, exist_ok=True)
    storage = SQLStorage(f"sqlite:///{project}/study.db")
    storage.open_study("big")
    configs = []
    for i, t in enumerate(trials):
        values = hp.copy()
        values.values = {"lr": t["lr"], "units": t["units"], "activation": t["activation"]}
        trial = Trial(values, trial_id=f"{i:05d}", status=t["status"])
        trial.intermediate_values = dict(t["intermediate"])
        if t["score"] is not None:
            trial.metrics.update("loss", t["score"], step=0)
            trial.score = t["score"]
        if t["status"] == "FAILED":
            trial.message = "ValueError: diverged"
        trial.started, trial.ended = 1.7e9 + i, 1.7e9 + i + 1.5
        configs.append(trial.get_config())
    state = {"space": hp.get_config()["space"], "objective": {"name": "loss", "direction": "min"}}
    with storage.transaction() as txn:
        txn.write(configs, state)
    storage.close()
    return folder


def build_optuna(folder, trials):
    import optuna
    import sqlalchemy

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    url = f"sqlite:///{folder}/optuna.db"
    storage = optuna.storages.RDBStorage(url)

    # Building the study is not what is measured: commit without fsync.
    @sqlalchemy.event.listens_for(storage.engine, "connect")
    def _no_fsync(connection, _):
        connection.execute("PRAGMA synchronous=OFF")

    storage.engine.dispose()
    study = optuna.create_study(storage=storage, study_name="big", direction="minimize", load_if_exists=True)
    done = len(study.get_trials(deepcopy=False))
    distributions = {
        "lr": optuna.distributions.FloatDistribution(1e-5, 1e-1, log=True),
        "units": optuna.distributions.IntDistribution(8, 512),
        "activation": optuna.distributions.CategoricalDistribution(["relu", "tanh", "gelu"]),
    }
    states = {"COMPLETED": optuna.trial.TrialState.COMPLETE, "PRUNED": optuna.trial.TrialState.PRUNED,
              "FAILED": optuna.trial.TrialState.FAIL}
    study.add_trials([
        optuna.trial.create_trial(
            params={"lr": t["lr"], "units": t["units"], "activation": t["activation"]},
            distributions=distributions, value=t["score"] if t["status"] == "COMPLETED" else None,
            state=states[t["status"]], intermediate_values=t["intermediate"],
        )
        for t in trials[done:]
    ])
    return url


def build_metadata(folder, runs):
    """A metadata store of `runs` pipeline runs (8 components each) in ML
    Metadata's tables, written with the pipeline's own store."""
    from kerasverse.pipeline.metadata.store import MetadataStore
    from kerasverse.pipeline.types import standard_artifacts

    store = MetadataStore(f"sqlite:///{folder}/metadata.sqlite")
    components = ["CsvExampleGen", "StatisticsGen", "SchemaGen", "ExampleValidator", "Transform",
                  "Trainer", "Evaluator", "Pusher"]
    for run in range(runs):
        previous = []
        for component in components:
            contexts = [("pipeline", "penguin"), ("pipeline_run", f"run-{run:04d}"), ("node", component)]
            execution = store.start_execution(component, component, cache_key=f"{component}-{run}",
                                              contexts=contexts, inputs={"examples": previous} if previous else {})
            artifact = standard_artifacts.Examples(f"{folder}/artifacts/{component}/{run}")
            store.publish_execution(execution, {"output": [artifact]}, state="COMPLETE")
            previous = [artifact]
    store.dispose()


def serve_optuna(url):
    from wsgiref.simple_server import WSGIRequestHandler
    from wsgiref.simple_server import make_server

    import optuna_dashboard

    class Quiet(WSGIRequestHandler):
        def log_message(self, *args):
            pass

    server = make_server("127.0.0.1", 0, optuna_dashboard.wsgi(url), handler_class=Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}", server


def main():
    import argparse

    from kerasverse.ui import create_app
    from kerasverse.ui.launcher import BackgroundServer
    from kerasverse.ui.launcher import default_sections

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", help="keep the generated stores here and reuse them on the next run")
    args = parser.parse_args()
    folder = args.workdir or tempfile.mkdtemp(prefix="bench-ui-")
    trials = synthetic_trials(NUM_TRIALS)
    if not os.path.exists(os.path.join(folder, "big", "study.db")):
        start = time.perf_counter()
        build_ours(folder, trials)
        print(f"Built our study of {NUM_TRIALS} trials in {time.perf_counter() - start:.1f} s", flush=True)
    metadata_folder = os.path.join(folder, "pipeline")
    if not os.path.exists(os.path.join(metadata_folder, "metadata.sqlite")):
        os.makedirs(metadata_folder, exist_ok=True)
        try:
            start = time.perf_counter()
            build_metadata(metadata_folder, NUM_RUNS)
            print(f"Built a metadata store of {NUM_RUNS} runs in {time.perf_counter() - start:.1f} s", flush=True)
        except Exception as error:  # noqa: BLE001
            print(f"metadata store: n/a ({error.__class__.__name__}: {error})")

    ours = BackgroundServer(create_app([folder], extra_sections=default_sections()))
    client = httpx.Client(timeout=120)
    key = client.get(ours.url + "/api/studies").json()["studies"][0]["key"]

    def open_ours():
        page = client.get(f"{ours.url}/studies/{key}")
        figures = client.get(f"{ours.url}/api/studies/{key}/figures")
        importance = client.get(f"{ours.url}/api/studies/{key}/importance")
        assert page.status_code == 200 and figures.status_code == 200 and importance.status_code == 200
        return page, figures

    def open_ours_page_only():
        assert client.get(f"{ours.url}/studies/{key}").status_code == 200

    def open_pipelines():
        assert client.get(f"{ours.url}/pipelines").status_code == 200

    time.sleep(3)  # Both servers get the same head start (our warm-up imports scikit-learn).
    start = time.perf_counter()
    page, figures = open_ours()
    ours_first = time.perf_counter() - start
    assert f">{NUM_TRIALS}<" in page.text
    ours_warm = harness.measure(open_ours, repeat=5, warmup=0)
    ours_page = harness.measure(open_ours_page_only, repeat=5, warmup=1)
    pipelines = harness.measure(open_pipelines, repeat=5, warmup=1)

    rows = []
    try:
        optuna_url = build_optuna(folder, trials)
        peer_url, peer_server = serve_optuna(optuna_url)
        time.sleep(3)
        study_id = client.get(peer_url + "/api/studies").json()["study_summaries"][0]["study_id"]

        def open_peer():
            page = client.get(f"{peer_url}/dashboard/studies/{study_id}")
            detail = client.get(f"{peer_url}/api/studies/{study_id}", params={"after": 0})
            importance = client.get(f"{peer_url}/api/studies/{study_id}/param_importances")
            assert page.status_code == 200 and detail.status_code == 200, (detail.status_code, detail.text[:300])
            return detail, importance

        start = time.perf_counter()
        detail, _ = open_peer()
        peer_first = time.perf_counter() - start
        assert len(detail.json()["trials"]) == NUM_TRIALS
        peer_warm = harness.measure(open_peer, repeat=5, warmup=0)
        rows.append(harness.comparison_row("open 10k-trial study, first (cold)", ours_first, peer_first))
        rows.append(harness.comparison_row("open 10k-trial study, warm (median of 5)",
                                           ours_warm.median_s, peer_warm.median_s))
        peer_server.shutdown()
    except Exception as error:  # noqa: BLE001
        rows.append({"case": "optuna-dashboard", "kerasverse": "", "peer": f"n/a ({error.__class__.__name__}: {error})"})
        rows.append(harness.comparison_row("open 10k-trial study, first (cold)", ours_first, None))
    rows.append({"case": "our study page alone (summary + 50 rows)", "kerasverse": f"{ours_page.median_s:.4f} s",
                 "peer": "", "ratio": ""})
    rows.append({"case": f"our Pipelines page, {NUM_RUNS} runs (newest 25)", "kerasverse": f"{pipelines.median_s:.4f} s",
                 "peer": "", "ratio": ""})
    ours.stop()
    print(f"\nkerasverse ui vs optuna-dashboard on {NUM_TRIALS} trials, {os.cpu_count()} cores, "
          f"backend {os.environ['KERAS_BACKEND']} (ratio = peer / ours: > 1 means we are faster)")
    print(harness.format_table(rows, ["case", "kerasverse", "peer", "ratio"]))


if __name__ == "__main__":
    try:
        main()
    except BaseException:
        import traceback

        traceback.print_exc()
        raise
