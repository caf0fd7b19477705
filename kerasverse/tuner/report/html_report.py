"""`write_report`: a self-contained HTML report of a study (Plotly figures, plotly.js
inlined: no network, the same figures `kerasverse ui` shows)."""

import html
import json
import time

from kerasverse.tuner.engine.trial import TrialStatus
from kerasverse.tuner.report import figures

COLORS = {
    TrialStatus.COMPLETED: figures.STATUS_COLORS["COMPLETED"],
    TrialStatus.PRUNED: figures.STATUS_COLORS["PRUNED"],
    TrialStatus.FAILED: figures.STATUS_COLORS["FAILED"],
    TrialStatus.INVALID: figures.STATUS_COLORS["INVALID"],
    TrialStatus.RUNNING: figures.STATUS_COLORS["RUNNING"],
}


def _ordered_trials(oracle):
    return sorted(oracle.trials.values(), key=lambda t: int(t.trial_id))


def _space(oracle):
    return [
        {"class_name": hp.__class__.__name__, "config": hp.get_config()}
        for hp in oracle.hyperparameters.space
    ]


def _objective(oracle):
    from kerasverse.tuner.engine.objective import serialize

    return figures.objective_spec(serialize(oracle.objective))


def study_records(oracle):
    """The oracle's trials as trial records (see `figures`), by number."""
    names, _ = _objective(oracle)
    return [
        figures.record_from_config(trial.get_config(), int(trial.trial_id), names)
        for trial in _ordered_trials(oracle)
    ]


def hyperparameter_importance(oracle):
    """Importance of each hyperparameter: random-forest impurity importance
    of the encoded values on the score (|Spearman| with < 8 trials)."""
    return figures.hyperparameter_importance_from_records(study_records(oracle), _space(oracle))


def study_figures(oracle):
    """The report's figures as `(title, plotly figure dict or None)` pairs."""
    records = study_records(oracle)
    names, directions = _objective(oracle)
    direction = "min" if len(names) > 1 else directions[0]
    space = _space(oracle)
    return [
        ("Optimization history", figures.history_figure(records, direction, oracle.objective.name)),
        ("Intermediate values", figures.intermediate_figure(records, oracle.objective.name)),
        ("Parallel coordinates", figures.parallel_coordinates_figure(records, space, direction)),
        ("Hyperparameter importance", figures.importance_figure(
            figures.hyperparameter_importance_from_records(records, space))),
        ("Pareto front", figures.pareto_figure(records, names, directions)),
    ]


def trials_table(oracle):
    space = [c["name"] for c in figures.space_columns(_space(oracle))]
    header = ["trial", "status", "score", *space, "message"]
    rows = []
    for trial in _ordered_trials(oracle):
        cells = [trial.trial_id, trial.status, "" if trial.score is None else f"{trial.score:.5g}"]
        cells += [str(trial.hyperparameters.values.get(name, "")) for name in space]
        cells.append(trial.message or "")
        rows.append("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in cells) + "</tr>")
    head = "<tr>" + "".join(f"<th onclick='sortTable({i})'>{html.escape(h)}</th>" for i, h in enumerate(header)) + "</tr>"
    return f'<table id="trials">{head}{"".join(rows)}</table>'


_SCRIPT = """
function sortTable(column) {
  const table = document.getElementById('trials');
  const rows = Array.from(table.rows).slice(1);
  const asc = table.dataset.column == column ? table.dataset.asc != 'true' : true;
  rows.sort((a, b) => {
    const x = a.cells[column].innerText, y = b.cells[column].innerText;
    const nx = parseFloat(x), ny = parseFloat(y);
    const c = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : x.localeCompare(y);
    return asc ? c : -c;
  });
  rows.forEach(r => table.appendChild(r));
  table.dataset.column = column; table.dataset.asc = asc;
}
"""


def _figure_sections(oracle):
    sections = []
    for index, (title, figure) in enumerate(study_figures(oracle)):
        if figure is None:
            if title == "Pareto front":
                continue  # Single-objective study.
            sections.append(f"<section><h2>{title}</h2><p>Not enough completed trials.</p></section>")
            continue
        payload = json.dumps(figure, default=str).replace("</", "<\\/")
        sections.append(
            f'<section><h2>{title}</h2><div class="plot" id="plot-{index}"></div>'
            f"<script>Plotly.newPlot('plot-{index}', ...(f => [f.data, f.layout])({payload}), "
            "{responsive: true, displaylogo: false});</script></section>"
        )
    return "\n".join(sections)


def write_report(oracle, path="report.html", title="study"):
    """Writes the HTML report of `oracle`'s study to `path`; returns `path`.

    The file is self-contained (plotly.js is inlined from the `plotly`
    package), so it opens offline; its figures are those of `kerasverse ui`.
    """
    counts = {}
    for trial in oracle.trials.values():
        counts[trial.status] = counts.get(trial.status, 0) + 1
    best = oracle.get_best_trials(1)
    best_text = (
        f"trial {best[0].trial_id}: {oracle.objective.name} = {best[0].score:.6g}, "
        f"{html.escape(json.dumps(best[0].hyperparameters.values, default=str))}"
        if best else "no completed trial yet"
    )
    with open(figures.plotly_js_path(), encoding="utf-8") as f:
        plotly_js = f.read()
    body = f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>kerasverse tuner report: {html.escape(title)}</title>
<style>
body {{ font-family: sans-serif; margin: 24px; color: #222; }}
section {{ margin-bottom: 28px; max-width: 1000px; }}
table {{ border-collapse: collapse; font-size: 13px; }}
td, th {{ border: 1px solid #ccc; padding: 3px 8px; }}
th {{ cursor: pointer; background: #f2f2f2; }}
</style><script>{_SCRIPT}</script><script>{plotly_js}</script></head><body>
<h1>Study {html.escape(title)}</h1>
<p>Objective: {html.escape(str(oracle.objective))}. Trials: {len(oracle.trials)}
({html.escape(", ".join(f"{k}: {v}" for k, v in sorted(counts.items())))}).
Written {time.strftime("%Y-%m-%d %H:%M:%S")}.</p>
<p><b>Best</b>: {best_text}</p>
{_figure_sections(oracle)}
<section><h2>Trials</h2>{trials_table(oracle)}</section>
</body></html>
"""
    with open(path, "w", encoding="utf-8") as f:
        f.write(body)
    return path
