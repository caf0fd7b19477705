import re

from kerasverse.cli import main as cli_main
from kerasverse.tuner.engine.objective import Objective
from kerasverse.tuner.oracles import RandomSearchOracle
from kerasverse.tuner.pruners import MedianPruner
from kerasverse.tuner.report import figures
from kerasverse.tuner.report import hyperparameter_importance
from kerasverse.tuner.report import load_study
from kerasverse.tuner.report.html_report import study_figures
from kerasverse.tuner.report.html_report import study_records
from kerasverse.tuner.testing import FunctionTuner


def two_scores(hp):
    x = hp.Float("x", 0.0, 1.0)
    return {"a": x, "b": x * x + (0.3 if hp.Choice("y", [0, 1]) else 0.0)}


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
    # plotly.js is inlined from the plotly package; no script or style is fetched.
    plotly_js = open(figures.plotly_js_path()).read()
    assert plotly_js in text
    page = text.replace(plotly_js, "")
    assert page.count("Plotly.newPlot(") == 4
    assert not re.search(r"<(script|link|img)[^>]+(src|href)=\"?https?://", page)
    assert page.count("<tr>") == 11  # Header + 10 trials.
    assert "PRUNED" in page
    assert "Pareto front" not in page  # Single objective.


def test_report_figures_hold_the_study_numbers(tmp_path):
    tuner = _searched(tmp_path)
    titles = dict(study_figures(tuner.oracle))
    history = titles["Optimization history"]
    plotted = {
        (x, y) for trace in history["data"] if trace["mode"] == "markers"
        for x, y in zip(trace["x"], trace["y"])
    }
    expected = {
        (int(t.trial_id), t.score) for t in tuner.oracle.trials.values() if t.score is not None
    }
    assert plotted == expected
    best = min(t.score for t in tuner.oracle.trials.values() if t.status == "COMPLETED")
    line = next(trace for trace in history["data"] if trace["name"] == "best so far")
    assert line["y"][-1] == best
    pruned = [t for t in tuner.oracle.trials.values() if t.status == "PRUNED"]
    (marks,) = [trace for trace in titles["Intermediate values"]["data"] if trace["name"] == "pruned"]
    assert len(marks["x"]) == len(pruned) > 0
    reported = sum(len(t.intermediate_values) for t in tuner.oracle.trials.values())
    lines = [trace for trace in titles["Intermediate values"]["data"] if trace["mode"] == "lines"]
    assert sum(sum(1 for y in trace["y"] if y is not None) for trace in lines) == reported
    dims = titles["Parallel coordinates"]["data"][0]["dimensions"]
    assert [d["label"] for d in dims] == ["x", "y", "score"]


def test_pareto_front_matches_the_oracle(tmp_path):
    objectives = [Objective("a", "min"), Objective("b", "max")]
    oracle = RandomSearchOracle(objectives, max_trials=12, seed=3)
    tuner = FunctionTuner(oracle, function=two_scores, directory=str(tmp_path), project_name="mo", verbose=0)
    tuner.search()
    records = study_records(tuner.oracle)
    front = figures.pareto_front(records, ["min", "max"])
    assert [r["trial_id"] for r in front] == [t.trial_id for t in tuner.oracle.get_pareto_front()]
    figure = dict(study_figures(tuner.oracle))["Pareto front"]
    assert figure is not None and len(figure["data"][1]["x"]) == len(front)


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
