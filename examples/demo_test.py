import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import demo  # noqa: E402


def test_demo_trains_a_useful_model(capsys):
    rows = demo.main(["--epochs", "3"])
    assert float(rows[0]["accuracy"]) > 0.85
    out = capsys.readouterr().out
    assert "artifact" in out and "keras (float32)" in out
