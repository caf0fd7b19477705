import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import automl_example  # noqa: E402
import pytest  # noqa: E402


@pytest.mark.slow
def test_automl_example_runs_end_to_end(tmp_path):
    results = automl_example.main(str(tmp_path), max_trials=1, epochs=2)
    assert results["trials"] == 1
    assert results["accuracy"] > 0.7
    assert results["max_diff"] < 1e-5
    assert Path(results["report"]).exists() and Path(results["model_path"]).exists()
