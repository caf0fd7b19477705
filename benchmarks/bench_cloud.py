"""`cloud.run` data-parallel training vs a hand-written 2-process loop.

Same model (an MLP, 256 -> 512 -> 512 -> 10, softmax cross-entropy, SGD),
same data, same global batch, 2 processes on this machine:

- torch: ours is `cloud.run(train_fn, worker_count=1)` running an ordinary
  `model.fit`; the baseline is a plain `torch.nn` + `DistributedDataParallel`
  loop on gloo (two processes started with `subprocess`).
- JAX: ours as above; the baseline is a plain `jax.distributed` loop: a jitted
  step on arrays assembled with `jax.make_array_from_process_local_data`
  over a 2-device mesh (the same collective path as `DataParallel`).
- A diagnostic third column: the same Keras function under cloud's "auto"
  distribution in two plain processes (no Ray), which separates the cost of
  Keras + the distribution layer from that of running inside Ray.

Time per step is the median over 3 timed epochs of (epoch time / steps),
after a warm-up epoch (compilation). The 2-process step time is measured in
`--repeats` rounds in which ours and the baseline run back to back, the
order alternating, and the ratio is the median of the per-round ratios, so a
change of machine load between the columns does not decide it. Then: time
from `cloud.run(...)` to the first training step on a fresh local Ray (Ray's
start included), for a 2-process job submitted right after another, and for
2-process jobs on the same Ray once it is warm and idle (`--settle` s after
the previous job; the chief's start-up phases printed); samples/s for 1 and
2 processes. Run once per
backend:

    KERAS_BACKEND=torch .venv/bin/python benchmarks/bench_cloud.py [--repeats 3]
    KERAS_BACKEND=jax .venv/bin/python benchmarks/bench_cloud.py
"""

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

INPUT, HIDDEN, CLASSES = 256, 512, 10
GLOBAL_BATCH, STEPS, EPOCHS = 256, 16, 4  # epoch 0 warms up
LEARNING_RATE = 0.01


def make_data(seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((GLOBAL_BATCH * STEPS, INPUT)).astype("float32")
    y = rng.integers(0, CLASSES, size=GLOBAL_BATCH * STEPS).astype("int32")
    return x, y


# -- ours -------------------------------------------------------------------
def train_with_keras(record_first_step=False):
    """The function `cloud.run` runs: an ordinary Keras script."""
    import keras

    class Timer(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.first_step = None
            self.epoch_times = []

        def on_epoch_begin(self, epoch, logs=None):
            self.start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            self.epoch_times.append(time.perf_counter() - self.start)

    keras.utils.set_random_seed(0)
    model = keras.Sequential([
        keras.Input((INPUT,)),
        keras.layers.Dense(HIDDEN, activation="relu"),
        keras.layers.Dense(HIDDEN, activation="relu"),
        keras.layers.Dense(CLASSES),
    ])
    model.compile(
        keras.optimizers.SGD(LEARNING_RATE),
        keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    )
    class FirstStep(Timer):
        # A batch hook makes Keras read the logs after every step (a sync the
        # step-time runs must not pay), so only the start-up runs have one.
        def on_train_batch_begin(self, batch, logs=None):
            if self.first_step is None:
                self.first_step = time.time()

    x, y = make_data()
    timer = FirstStep() if record_first_step else Timer()
    epochs = 1 if record_first_step else EPOCHS
    steps = None if not record_first_step else 2
    model.fit(x, y, batch_size=GLOBAL_BATCH, epochs=epochs, shuffle=False, verbose=0,
              callbacks=[timer], steps_per_epoch=steps)
    return {
        "first_step": timer.first_step,
        "step_s": statistics.median(t / STEPS for t in timer.epoch_times[1:]) if not record_first_step else None,
    }


# -- baselines (each process runs this file with --baseline-worker) ----------
def torch_worker(rank, world, port):
    import torch
    import torch.distributed as dist

    torch.set_num_threads(1)
    dist.init_process_group("gloo", init_method=f"tcp://127.0.0.1:{port}", rank=rank, world_size=world)
    torch.manual_seed(0)
    model = torch.nn.Sequential(
        torch.nn.Linear(INPUT, HIDDEN), torch.nn.ReLU(),
        torch.nn.Linear(HIDDEN, HIDDEN), torch.nn.ReLU(),
        torch.nn.Linear(HIDDEN, CLASSES),
    )
    model = torch.nn.parallel.DistributedDataParallel(model)
    optimizer = torch.optim.SGD(model.parameters(), lr=LEARNING_RATE)
    loss_fn = torch.nn.CrossEntropyLoss()
    x, y = make_data()
    local = GLOBAL_BATCH // world
    xs = torch.from_numpy(x)
    ys = torch.from_numpy(y.astype("int64"))
    epoch_times = []
    for _ in range(EPOCHS):
        start = time.perf_counter()
        for step in range(STEPS):
            begin = step * GLOBAL_BATCH + rank * local
            optimizer.zero_grad()
            loss = loss_fn(model(xs[begin : begin + local]), ys[begin : begin + local])
            loss.backward()
            optimizer.step()
        loss.item()
        epoch_times.append(time.perf_counter() - start)
    dist.destroy_process_group()
    return statistics.median(t / STEPS for t in epoch_times[1:])


def jax_worker(rank, world, port):
    import jax
    import jax.numpy as jnp
    from jax.sharding import Mesh
    from jax.sharding import NamedSharding
    from jax.sharding import PartitionSpec

    jax.distributed.initialize(f"127.0.0.1:{port}", world, rank)
    mesh = Mesh(np.array(jax.devices()), ("batch",))
    data_sharding = NamedSharding(mesh, PartitionSpec("batch"))
    replicated = NamedSharding(mesh, PartitionSpec())
    key = jax.random.PRNGKey(0)
    shapes = [(INPUT, HIDDEN), (HIDDEN, HIDDEN), (HIDDEN, CLASSES)]
    params = []
    for shape in shapes:
        key, sub = jax.random.split(key)
        weight = jax.random.normal(sub, shape) * np.sqrt(2.0 / shape[0])
        params += [jax.device_put(weight, replicated), jax.device_put(jnp.zeros(shape[1]), replicated)]

    def loss_fn(params, x, y):
        h = x
        for i in range(0, len(params) - 2, 2):
            h = jax.nn.relu(h @ params[i] + params[i + 1])
        logits = h @ params[-2] + params[-1]
        return -jnp.mean(jnp.take_along_axis(jax.nn.log_softmax(logits), y[:, None], axis=1))

    @jax.jit
    def step(params, x, y):
        loss, grads = jax.value_and_grad(loss_fn)(params, x, y)
        return [p - LEARNING_RATE * g for p, g in zip(params, grads)], loss

    x, y = make_data()
    local = GLOBAL_BATCH // world
    epoch_times = []
    for _ in range(EPOCHS):
        start = time.perf_counter()
        for index in range(STEPS):
            begin = index * GLOBAL_BATCH + rank * local
            xb = jax.make_array_from_process_local_data(data_sharding, x[begin : begin + local])
            yb = jax.make_array_from_process_local_data(data_sharding, y[begin : begin + local])
            params, loss = step(params, xb, yb)
        loss.block_until_ready()
        epoch_times.append(time.perf_counter() - start)
    jax.distributed.shutdown()
    return statistics.median(t / STEPS for t in epoch_times[1:])


def keras_worker(rank, world, port):
    """Diagnostic: `train_with_keras` under cloud's "auto" distribution, without Ray."""
    from kerasverse.cloud.auto_distribution import AutoDistribution

    distribution = AutoDistribution(world, rank)
    if os.environ["KERAS_BACKEND"] == "torch":
        import torch
        import torch.distributed as dist

        torch.set_num_threads(1)
        dist.init_process_group("gloo", init_method=f"tcp://127.0.0.1:{port}", rank=rank, world_size=world)
        distribution.initialize_backend(None)
    else:
        distribution.initialize_backend(f"127.0.0.1:{port}")
    distribution.install()
    return train_with_keras()["step_s"]


def run_baseline(backend, world=2, kind=None):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, "KERAS_BACKEND": backend, "JAX_PLATFORMS": "cpu", "OMP_NUM_THREADS": "1"}
    processes = [
        subprocess.Popen(
            [sys.executable, __file__, "--baseline-worker", kind or backend, "--rank", str(rank),
             "--world", str(world), "--port", str(port)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
        )
        for rank in range(world)
    ]
    outputs = [p.communicate(timeout=900) for p in processes]
    for process, (_, err) in zip(processes, outputs):
        if process.returncode:
            raise RuntimeError(f"baseline worker failed: {err[-2000:]}")
    return json.loads(outputs[0][0].strip().splitlines()[-1])["step_s"]


def _phases(result, start):
    """The chief's start-up, from `cloud.run(...)` (seconds after `start`)."""
    marks = dict(result.timings)
    marks["first_step"] = result.result["first_step"]
    order = ["process_start", "preload_done", "train_loop", "keras_imported", "backend_ready", "first_step"]
    return ", ".join(f"{name} +{marks[name] - start:.1f}" for name in order if name in marks)


def main():
    backend = os.environ.get("KERAS_BACKEND")
    if backend not in ("jax", "torch"):
        raise SystemExit("Set KERAS_BACKEND=jax or KERAS_BACKEND=torch.")
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=3,
                        help="rounds of (ours, baseline) step-time runs, alternating which goes first")
    parser.add_argument("--warm-jobs", type=int, default=3, help="start-ups to time on the warm, idle Ray")
    parser.add_argument("--settle", type=float, default=15.0,
                        help="seconds the Ray stays idle before each warm job")
    arguments = parser.parse_args()
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import harness
    import ray

    from kerasverse import cloud

    jobs = os.path.join("/tmp", "kerasverse-bench-cloud")
    load_before = os.getloadavg()[0]
    # Keras alone, in this process, no Ray: how much of the step is Keras' own.
    # One thread, as in Ray's 1-CPU workers (Ray sets OMP_NUM_THREADS=1) and the baselines.
    if backend == "torch":
        import torch

        torch.set_num_threads(1)
    plain = train_with_keras()["step_s"]
    # Time to first step on a fresh local Ray: cloud.run starts Ray itself.
    start = time.time()
    result = cloud.run(train_with_keras, args=(True,), checkpoint_dir=jobs)
    fresh = result.result["first_step"] - start
    print(f"fresh job: first step +{fresh:.1f} s ({_phases(result, start)})", flush=True)
    # A second job right after the first, then jobs on the warm, idle Ray (after
    # `--settle` s: the processes `cloud.run` prestarts after a job have imported
    # Keras by then, as they have when a user submits the next job).
    start = time.time()
    result = cloud.run(train_with_keras, args=(True,), worker_count=1, checkpoint_dir=jobs)
    back_to_back = result.result["first_step"] - start
    print(f"2-process job right after another: first step +{back_to_back:.1f} s ({_phases(result, start)})", flush=True)
    warm = []
    for _ in range(arguments.warm_jobs):
        time.sleep(arguments.settle)
        start = time.time()
        result = cloud.run(train_with_keras, args=(True,), worker_count=1, checkpoint_dir=jobs)
        warm.append(result.result["first_step"] - start)
        print(f"warm 2-process job: first step +{warm[-1]:.1f} s ({_phases(result, start)})", flush=True)
    # Step time: ours and the baseline alternate (ours first in even rounds), so a
    # change of machine load hits both columns; the ratio is taken per round.
    # The third column, Keras with cloud's "auto" distribution in 2 plain processes
    # (no Ray), tells the cost of Keras + the distribution layer from that of Ray.
    ours, peers, ratios, no_ray, no_ray_ratios = [], [], [], [], []
    for round_ in range(arguments.repeats):
        pair = {}
        order = ("ours", "keras", "peer") if round_ % 2 == 0 else ("peer", "keras", "ours")
        for which in order:
            if which == "ours":
                pair[which] = cloud.run(train_with_keras, worker_count=1, checkpoint_dir=jobs).result["step_s"]
            elif which == "keras":
                pair[which] = run_baseline(backend, kind="keras")
            else:
                pair[which] = run_baseline(backend)
        ours.append(pair["ours"])
        peers.append(pair["peer"])
        no_ray.append(pair["keras"])
        ratios.append(pair["ours"] / pair["peer"])
        no_ray_ratios.append(pair["keras"] / pair["peer"])
        print(f"round {round_}: ours {pair['ours']:.4g} s, Keras + auto without Ray "
              f"{pair['keras']:.4g} s, baseline {pair['peer']:.4g} s, ratio {ratios[-1]:.2f}x "
              f"(without Ray {no_ray_ratios[-1]:.2f}x; load {os.getloadavg()[0]:.1f})", flush=True)
    one = cloud.run(train_with_keras, checkpoint_dir=jobs).result["step_s"]
    ray.shutdown()
    baseline_one = run_baseline(backend, world=1)
    two, baseline, ratio = statistics.median(ours), statistics.median(peers), statistics.median(ratios)
    peer = "DDP on gloo" if backend == "torch" else "jax.distributed + jit"
    rows = [
        harness.comparison_row(f"step time, 2 processes ({peer})", two, baseline, unit="s"),
        harness.comparison_row("step time, 2 processes, Keras + auto without Ray", statistics.median(no_ray), baseline, unit="s"),
        harness.comparison_row("step time, 1 process (plain model.fit, no Ray)", plain, baseline_one, unit="s"),
        harness.comparison_row("step time, 1 process (cloud.run)", one, baseline_one, unit="s"),
        {"case": "time to first step, fresh local Ray", "kerasverse": f"{fresh:.4g} s", "peer": "", "ratio": ""},
        {"case": "time to first step, 2-process job right after another", "kerasverse": f"{back_to_back:.4g} s",
         "peer": "", "ratio": ""},
        {"case": "time to first step, 2-process job on the warm, idle Ray (median)",
         "kerasverse": f"{statistics.median(warm):.4g} s", "peer": "", "ratio": ""},
        {"case": "samples/s, 1 process", "kerasverse": f"{GLOBAL_BATCH / one:.5g}", "peer": "", "ratio": ""},
        {"case": "samples/s, 2 processes", "kerasverse": f"{GLOBAL_BATCH / two:.5g}",
         "peer": f"{GLOBAL_BATCH / baseline:.5g}", "ratio": f"{baseline / two:.2f}x"},
    ]
    print(f"cloud.run vs a hand-written 2-process loop; KERAS_BACKEND={backend}; "
          f"{os.cpu_count()} cores (shared; load average {load_before:.0f} at start, "
          f"{os.getloadavg()[0]:.0f} at end); MLP {INPUT}-{HIDDEN}-{HIDDEN}-{CLASSES}, "
          f"global batch {GLOBAL_BATCH}, each run the median of {EPOCHS - 1} epochs of {STEPS} steps; "
          f"2-process rows: median of {arguments.repeats} alternating rounds "
          "(ratio = peer / ours: > 1 means kerasverse is faster; goal >= 0.87x, i.e. <= 1.15x the time)")
    print(harness.format_table(rows, ["case", "kerasverse", "peer", "ratio"]))
    print(f"overhead: cloud.run step time = {ratio:.2f}x the baseline's with 2 processes "
          f"(median of the per-round ratios {', '.join(f'{r:.2f}' for r in ratios)}); "
          f"Keras + auto without Ray = {statistics.median(no_ray_ratios):.2f}x "
          f"({', '.join(f'{r:.2f}' for r in no_ray_ratios)}); "
          f"plain Keras in one process = {plain / baseline_one:.2f}x the 1-process loop")


if __name__ == "__main__":
    if "--baseline-worker" in sys.argv:
        parser = argparse.ArgumentParser()
        parser.add_argument("--baseline-worker", choices=["torch", "jax", "keras"])
        parser.add_argument("--rank", type=int, default=0)
        parser.add_argument("--world", type=int, default=2)
        parser.add_argument("--port", type=int, default=0)
        arguments = parser.parse_args()
        worker = {"torch": torch_worker, "jax": jax_worker, "keras": keras_worker}[arguments.baseline_worker]
        step_s = worker(arguments.rank, arguments.world, arguments.port)
        print(json.dumps({"step_s": step_s}))
    else:
        main()
