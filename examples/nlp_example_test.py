import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

import nlp_example  # noqa: E402


@pytest.mark.slow
def test_nlp_example_runs_end_to_end(capsys):
    results = nlp_example.main(["--quick"])
    assert results["accuracy"] >= 0.75
    assert results["losses"][-1] < results["losses"][0]
    assert results["generated"][0].startswith("A layer is")
    assert len(results["generated"][0]) > len("A layer is")
    out = capsys.readouterr().out
    assert "[bert] MiniLM classifier" in out and "[gpt2] greedy" in out
