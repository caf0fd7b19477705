"""`cloud.run` on a real local Ray (2 CPUs, one start for the module).

The functions the jobs run live at module level so that Ray's workers import
them from this file.
"""

import os
import signal
import sys
import textwrap
import time

import keras
import numpy as np
import pytest

from kerasverse import cloud
from kerasverse.cloud.auto_distribution import AutoDistribution

ray = pytest.importorskip("ray")
pytest.importorskip("ray.train")


@pytest.fixture(scope="module")
def local_ray():
    # Ray as a user starts it: without the OMP_NUM_THREADS the conftest sets for the test workers
    # (Ray then gives each actor its CPU count), which Ray's processes would otherwise inherit.
    threads = os.environ.pop("OMP_NUM_THREADS", None)
    try:
        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    finally:
        if threads is not None:
            os.environ["OMP_NUM_THREADS"] = threads
    yield
    ray.shutdown()


def _build(momentum=0.0):
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [keras.Input((4,)), keras.layers.Dense(3, activation="relu"), keras.layers.Dense(1)]
    )
    model.compile(keras.optimizers.SGD(0.1, momentum=momentum), "mse", metrics=["mae"])
    return model


def _data():
    rng = np.random.default_rng(0)
    x = rng.random((64, 4)).astype("float32")
    return x, x.sum(axis=1, keepdims=True)


class _RowsSeen(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.count = 0

    def on_predict_batch_end(self, batch, logs=None):
        self.count += len(logs["outputs"])


def train_two_fits(save_path):
    """Two fit calls (the second with validation data), evaluate, predict and save."""
    model = _build()
    x, y = _data()
    first = model.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=2)
    second = model.fit(
        x, y, batch_size=32, epochs=1, shuffle=False, validation_data=(x[:32], y[:32]), verbose=0
    )
    evaluation = model.evaluate(x, y, batch_size=16, verbose=0)
    # 37 rows: the last global batch (5 rows) does not split evenly over 2 processes.
    rows = _RowsSeen()
    predictions = model.predict(x[:37], batch_size=16, verbose=0, callbacks=[rows])
    model.save(save_path)
    return {
        "weights": model.get_weights(),
        "histories": [first.history, second.history],
        "evaluation": evaluation,
        "predictions": predictions,
        "predict_rows_seen": rows.count,
        "remote": cloud.remote(),
        "tensorflow_imported": "tensorflow" in sys.modules,
        "num_processes": cloud.num_processes(),
    }


def test_two_processes_train_like_one_on_the_same_global_batches(local_ray, tmp_path):
    # The oracle: plain Keras in this process, one process, the same global batches.
    expected = train_two_fits(str(tmp_path / "local.keras"))
    job = cloud.run(
        train_two_fits, args=(str(tmp_path / "cloud.keras"),), worker_count=1, wait=False,
        checkpoint_dir=str(tmp_path / "jobs"), job_labels={"team": "ml"},
    )
    assert isinstance(job, cloud.Job) and job.status() in ("RUNNING", "SUCCEEDED")
    result = job.wait(timeout=600)
    assert result.status == "SUCCEEDED" and job.status() == "SUCCEEDED"
    assert result.num_processes == 2 and result.labels == {"team": "ml"}
    got = result.result
    assert got["remote"] is True and got["num_processes"] == 2 and expected["remote"] is False
    # set_random_seed and save did not import TensorFlow into the job (5 s of CPU each process).
    assert got["tensorflow_imported"] is False
    for want, have in zip(expected["weights"], got["weights"]):
        np.testing.assert_allclose(have, want, rtol=1e-5, atol=1e-6)
    for want, have in zip(expected["histories"], got["histories"]):
        assert want.keys() == have.keys()
        for key in want:  # Metrics (and validation metrics) are global, not per process.
            np.testing.assert_allclose(have[key], want[key], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got["evaluation"], expected["evaluation"], rtol=1e-5, atol=1e-6)
    # predict is sharded too, and the chief gets every row, in order.
    assert got["predictions"].shape == expected["predictions"].shape == (37, 1)
    np.testing.assert_allclose(got["predictions"], expected["predictions"], rtol=1e-5, atol=1e-6)
    # The chief's model saw its blocks only (torch: 8 + 8 + 3 rows) or, on JAX, each global
    # batch assembled from both processes' blocks (the 5-row batch padded to 6).
    assert got["predict_rows_seen"] == (19 if keras.backend.backend() == "torch" else 38)
    # Only the chief's output comes back, and the chief's save landed where asked.
    assert "Epoch 2/2" in result.logs and result.logs == job.logs(0)
    assert "Epoch" not in job.logs(1)
    saved = keras.saving.load_model(str(tmp_path / "cloud.keras"))
    for want, have in zip(got["weights"], saved.get_weights()):
        np.testing.assert_allclose(have, want)


FAILING_SCRIPT = """
    import sys
    from kerasverse import cloud

    print("attempt", "remote" if cloud.remote() else "local", "argv", sys.argv[1:])
    cloud.run()  # Inside the job: returns at once.

    def load_data(name):
        raise ValueError(f"boom from the script: no data set {name!r}")

    load_data(sys.argv[2])
"""


def test_a_failing_script_returns_its_traceback(local_ray, tmp_path):
    script = tmp_path / "train.py"
    script.write_text(textwrap.dedent(FAILING_SCRIPT))
    with pytest.raises(cloud.JobFailedError, match="boom from the script") as info:
        cloud.run(
            entry_point=str(script), entry_point_args=["--data", "penguins"],
            checkpoint_dir=str(tmp_path / "jobs"),
        )
    error = str(info.value)
    assert "Traceback" in error and "load_data" in error and "no data set 'penguins'" in error
    run_result = info.value.run_result
    assert run_result.status == "FAILED"
    assert "attempt remote argv ['--data', 'penguins']" in run_result.logs
    job = cloud.Job.load(run_result.job_id, str(tmp_path / "jobs"))
    assert job.status() == "FAILED"


def test_bad_input_fails_before_submission(local_ray, tmp_path):
    with pytest.raises(ValueError, match=r"existing \.py script.*not found"):
        cloud.run(entry_point=str(tmp_path / "missing.py"))
    with pytest.raises(ValueError, match=r"Unknown machine config 'T4_9X' for `worker_config`"):
        cloud.run(train_two_fits, worker_config="T4_9X", worker_count=1)
    with pytest.raises(ValueError, match=r"cannot place 5 processes .*'CPU': 1\.0.*hold 2"):
        cloud.run(train_two_fits, worker_count=4, chief_config={"CPU": 1})
    with pytest.raises(ValueError, match="Ray Train starts identical processes"):
        cloud.run(train_two_fits, worker_count=1, chief_config="CPU_1", worker_config="CPU_2")
    with pytest.raises(ConnectionError, match="Cannot reach the Ray cluster at '127.0.0.1:9'"):
        cloud.run(train_two_fits, cluster="127.0.0.1:9")
    with pytest.raises(ValueError, match="distribution_strategy must be 'auto' or None"):
        cloud.run(train_two_fits, distribution_strategy="mirrored")
    with pytest.raises(ValueError, match="Job labels are lowercase"):
        cloud.run(train_two_fits, job_labels={"Team": "ML"})
    with pytest.raises(ValueError, match="worker_count must be an int >= 0"):
        cloud.run(train_two_fits, worker_count=-1)
    with pytest.raises(TypeError, match="Received: entry_point=3"):
        cloud.run(3)


class _KillWorker(keras.callbacks.Callback):
    """SIGKILLs process 1 in the middle of epoch 3 of the second fit, once."""

    def __init__(self, marker):
        super().__init__()
        self.marker = marker
        self.epoch = 0

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if self.epoch == 2 and batch == 1 and cloud.process_index() == 1:
            if not os.path.exists(self.marker):
                open(self.marker, "w").close()
                time.sleep(3)  # Ray Train registers the epoch-2 checkpoint meanwhile.
                os.kill(os.getpid(), signal.SIGKILL)


def train_killed_once(marker):
    model = _build(momentum=0.5)
    x, y = _data()
    model.fit(x, y, batch_size=16, epochs=1, verbose=2)  # Shuffled, as by default.
    model.fit(x, y, batch_size=16, epochs=4, verbose=2, callbacks=[_KillWorker(marker)])
    return model.get_weights()


@pytest.mark.slow
def test_a_killed_worker_restarts_the_group_and_resumes_to_the_same_model(local_ray, tmp_path):
    marker = str(tmp_path / "killed")
    result = cloud.run(
        train_killed_once, args=(marker,), worker_count=1, max_failures=1,
        checkpoint_dir=str(tmp_path / "jobs"),
    )
    assert os.path.exists(marker)  # It was killed...
    assert "restarted; resuming fit call 1 after epoch" in result.logs  # ...and resumed.
    # The uninterrupted run: the same sharding and shuffling, in this process.
    distribution = AutoDistribution(1, 0, seed=0)
    distribution.install()
    try:
        expected = train_killed_once(marker)
    finally:
        distribution.uninstall()
    for want, have in zip(expected, result.result):
        np.testing.assert_allclose(have, want, rtol=1e-5, atol=1e-6)


def process_id_and_threads():
    threads = sys.modules["torch"].get_num_threads() if "torch" in sys.modules else None
    return os.getpid(), threads


def test_a_second_job_takes_processes_prestarted_for_it(local_ray, tmp_path):
    jobs = str(tmp_path / "jobs")
    first = cloud.run(process_id_and_threads, worker_count=1, distribution_strategy=None, checkpoint_dir=jobs)
    submitted = time.time()
    second = cloud.run(process_id_and_threads, worker_count=1, distribution_strategy=None, checkpoint_dir=jobs)
    # Ray gives every job new actor processes; cloud.run asked the raylet for the
    # next job's after the first ended (`warm_pool`), so the chief of the second
    # job is a process that already existed when it was submitted.
    assert second.result[0] != first.result[0]
    assert second.timings["process_start"] < submitted
    if keras.backend.backend() == "torch":
        # The prestarted process imported torch before Ray gave it 1 CPU: the
        # job still runs torch on 1 thread (as Ray's OMP_NUM_THREADS says).
        assert first.result[1] == second.result[1] == 1


def train_with_per_process_weights(directory):
    model = _build()
    model.optimizer.learning_rate.assign(0.0)
    # A script bug: each process sets its own weights.
    model.set_weights([w + cloud.process_index() for w in model.get_weights()])
    x, y = _data()
    model.fit(x, y, batch_size=16, epochs=1, verbose=0)
    np.savez(os.path.join(directory, f"rank{cloud.process_index()}.npz"), *model.get_weights())


def test_processes_that_build_different_weights(local_ray, tmp_path):
    jobs = str(tmp_path / "jobs")
    if keras.backend.backend() == "jax":
        # Replicated variables skip JAX's per-variable cross-process check;
        # one check per fit reports the divergence instead.
        with pytest.raises(cloud.JobFailedError, match="built the model with different weights"):
            cloud.run(train_with_per_process_weights, args=(str(tmp_path),), worker_count=1, checkpoint_dir=jobs)
    else:
        # torch broadcasts the chief's parameters before the first step
        # (learning rate 0: the weights after fit are the ones trained from).
        cloud.run(train_with_per_process_weights, args=(str(tmp_path),), worker_count=1, checkpoint_dir=jobs)
        chief = _build().get_weights()
        for rank in (0, 1):
            saved = np.load(tmp_path / f"rank{rank}.npz")
            for i, want in enumerate(chief):
                np.testing.assert_allclose(saved[f"arr_{i}"], want, rtol=1e-6)
