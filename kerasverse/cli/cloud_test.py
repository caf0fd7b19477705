"""`kerasverse cloud run|status|logs` in a real subprocess with its own local Ray.

Each test watches the processes the command starts (Ray's GCS, raylet,
workers) and checks that none outlives it: after a job, and after Ctrl-C.
"""

import glob
import os
import re
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from kerasverse.cli.main import main

psutil = pytest.importorskip("psutil")
pytest.importorskip("ray.train")

pytestmark = pytest.mark.host

SCRIPT = """
    import os
    import sys
    import time

    import keras
    import numpy as np

    from kerasverse import cloud

    # Run directly (`python train.py`), this submits the script itself
    # (entry_point=None) and exits after the job; inside the job it returns at once.
    cloud.run(checkpoint_dir=os.environ.get("JOBS_DIR"), stream_logs=True)
    print("TRAINED" if "--sleep" not in sys.argv else "STARTED", "remote=" + str(cloud.remote()),
          "argv=" + str(sys.argv[1:]), flush=True)
    if "--sleep" in sys.argv:
        time.sleep(600)
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile("sgd", "mse")
    model.fit(np.ones((8, 2)), np.ones((8, 1)), batch_size=4, epochs=1, verbose=0)
"""


def _start(tmp_path, *extra, cli=True):
    script = tmp_path / "train.py"
    script.write_text(textwrap.dedent(SCRIPT))
    if cli:
        command = [sys.executable, "-m", "kerasverse.cli.main", "cloud", "run", str(script),
                   "--checkpoint-dir", str(tmp_path / "jobs"), *extra]
    else:
        command = [sys.executable, str(script), *extra]
    return subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "KERAS_BACKEND": "jax", "JOBS_DIR": str(tmp_path / "jobs")},
        cwd=str(tmp_path),
    )


def _watch(process, until, timeout):
    """Collects the command's descendant processes until `until()` or its exit."""
    seen = {}
    deadline = time.monotonic() + timeout
    parent = psutil.Process(process.pid)
    while time.monotonic() < deadline and process.poll() is None and not until():
        try:
            for child in parent.children(recursive=True):
                seen.setdefault(child.pid, child)
        except psutil.NoSuchProcess:
            break
        time.sleep(0.5)
    return seen


def _assert_no_orphans(seen):
    assert seen, "the command started no processes (no Ray?)"
    deadline = time.monotonic() + 60
    alive = []
    while time.monotonic() < deadline:
        alive = [p for p in seen.values() if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
        if not alive:
            return
        time.sleep(1)
    names = [(p.pid, " ".join(p.cmdline()[:3])) for p in alive]
    for process in alive:  # Clean up what this test started before failing.
        process.kill()
    pytest.fail(f"Ray processes outlived the command: {names}")


def test_cli_runs_a_script_and_leaves_no_ray_processes(tmp_path, capsys):
    process = _start(tmp_path, "--label", "team=ml", "--", "--epochs", "1")
    seen = _watch(process, lambda: False, timeout=900)
    output, _ = process.communicate(timeout=120)
    assert process.returncode == 0, output
    assert "TRAINED remote=True argv=['--epochs', '1']" in output  # Streamed from the job.
    job_id = re.search(r"Job (\S+) succeeded on 1 process", output).group(1)
    _assert_no_orphans(seen)
    assert main(["cloud", "status", job_id, "--checkpoint-dir", str(tmp_path / "jobs")]) == 0
    status = capsys.readouterr().out
    assert f"{job_id}: SUCCEEDED" in status and "'team': 'ml'" in status
    main(["cloud", "logs", job_id, "--checkpoint-dir", str(tmp_path / "jobs")])
    assert "TRAINED remote=True" in capsys.readouterr().out
    with pytest.raises(ValueError, match="No cloud job 'nope'"):
        main(["cloud", "status", "nope", "--checkpoint-dir", str(tmp_path / "jobs")])


@pytest.mark.slow
def test_a_script_submitting_itself_stops_with_its_local_ray_on_ctrl_c(tmp_path):
    # `python train.py --sleep`: cloud.run(entry_point=None) submits the script itself.
    process = _start(tmp_path, "--sleep", cli=False)

    def started():
        logs = glob.glob(str(tmp_path / "jobs" / "*" / "logs" / "worker_0.log"))
        return bool(logs) and "STARTED" in open(logs[0]).read()

    seen = _watch(process, started, timeout=900)
    assert started(), process.communicate(timeout=60)[0]
    process.send_signal(signal.SIGINT)
    try:
        output, _ = process.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        process.kill()
        pytest.fail("the command did not stop within 120 s of Ctrl-C")
    _assert_no_orphans(seen)
    (job_dir,) = glob.glob(str(tmp_path / "jobs" / "*"))
    from kerasverse import cloud

    assert cloud.Job.load(os.path.basename(job_dir), str(tmp_path / "jobs")).status() in (
        "CANCELLED", "FAILED"), output
    assert "TRAINED" not in output
