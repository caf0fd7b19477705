"""`search(workers=N)` in a script without `if __name__ == "__main__":`."""

import os
import subprocess
import sys

import pytest

import kerasverse
from kerasverse.tuner.engine import workers

UNGUARDED = """
import sys
from kerasverse.tuner.engine.objective import Objective
from kerasverse.tuner.oracles import RandomSearchOracle
from kerasverse.tuner.testing import FunctionTuner

oracle = RandomSearchOracle(Objective("loss", "min"), max_trials=2, seed=1)
tuner = FunctionTuner(oracle, directory=sys.argv[1], project_name="p", verbose=0)
tuner.search(workers=2)
"""


@pytest.mark.host
def test_unguarded_main_script_gets_a_one_line_fix(tmp_path):
    script = tmp_path / "search.py"
    script.write_text(UNGUARDED)
    root = os.path.dirname(os.path.dirname(os.path.abspath(kerasverse.__file__)))
    env = {
        **os.environ,
        "KERAS_BACKEND": os.environ.get("KERAS_BACKEND", "jax"),
        "PYTHONPATH": os.pathsep.join([root, os.environ.get("PYTHONPATH", "")]),
    }
    result = subprocess.run(
        [sys.executable, str(script), str(tmp_path)], env=env, capture_output=True, text=True,
        timeout=300,
    )
    assert result.returncode == 1
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line == f"RuntimeError: {workers.UNGUARDED_MAIN_MESSAGE}"
    assert 'if __name__ == "__main__":' in last_line
    # The workers said it too, instead of multiprocessing's bootstrap error.
    assert "bootstrapping phase" not in result.stderr
    assert result.stderr.count("kerasverse.tuner: `search(workers=N)`") == 2
