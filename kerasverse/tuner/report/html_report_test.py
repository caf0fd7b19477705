import re

from kerasverse.cli import main as cli_main
from kerasverse.tuner.engine.objective import Objective
from kerasverse.tuner.oracles import RandomSearchOracle
from kerasverse.tuner.pruners import MedianPruner
from kerasverse.tuner.report import hyperparameter_importance
from kerasverse.tuner.report import load_study
from kerasverse.tuner.testing import FunctionTuner


def _searched(tmp_path):
    oracle = RandomSearchOracle(Objective("loss", "min"), max_trials=10, seed=0)
    tuner = FunctionTuner(
        oracle, intermediate_steps=3, directory=str(tmp_path), project_name="study",
        pruner=MedianPruner(n_startup_trials=2), verbose=0,
    )
    tuner.search()
    return tuner


def test_report_has_every_plot_and_no_network_assets(tmp_path):
    tuner = _searched(tmp_path)
    path = tuner.report(str(tmp_path / "report.html"))
    text = open(path).read()
    for title in ("Optimization history", "Intermediate values", "Parallel coordinates",
                  "Hyperparameter importance", "Trials"):
        assert title in text
    assert text.count("<svg") >= 4
    assert not re.search(r"(src|href)=\"https?://", text)
    assert text.count("<tr>") == 11  # Header + 10 trials.
    assert "PRUNED" in text


def test_importance_finds_the_relevant_hyperparameter(tmp_path):
    tuner = _searched(tmp_path)
    importance = hyperparameter_importance(tuner.oracle)
    assert set(importance) == {"x", "y"}
    assert abs(sum(importance.values()) - 1) < 1e-6


def test_cli_report_reads_the_saved_study(tmp_path, capsys):
    tuner = _searched(tmp_path)
    study = load_study(tuner.project_dir)
    assert sorted(study.trials) == sorted(tuner.oracle.trials)
    assert study.objective == Objective("loss", "min")
    output = tmp_path / "cli.html"
    assert cli_main.main(["tuner", "report", tuner.project_dir, "-o", str(output)]) == 0
    assert "Wrote" in capsys.readouterr().out
    assert "Study study" in output.read_text()
