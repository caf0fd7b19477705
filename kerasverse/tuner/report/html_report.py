"""`write_report`: a self-contained HTML report of a study (inline SVG, no network)."""

import html
import json
import math
import time

import numpy as np

from kerasverse.tuner.engine.trial import TrialStatus

COLORS = {
    TrialStatus.COMPLETED: "#1f77b4",
    TrialStatus.PRUNED: "#d62728",
    TrialStatus.FAILED: "#7f7f7f",
    TrialStatus.INVALID: "#bcbd22",
    TrialStatus.RUNNING: "#2ca02c",
}
WIDTH, HEIGHT, PAD = 640, 300, 48


def _finite(values):
    return [v for v in values if v is not None and math.isfinite(v)]


class _Axes:
    """Maps data to SVG coordinates and draws the frame."""

    def __init__(self, xs, ys, xlabel, ylabel):
        xs, ys = _finite(xs) or [0, 1], _finite(ys) or [0, 1]
        self.x0, self.x1 = min(xs), max(xs)
        self.y0, self.y1 = min(ys), max(ys)
        if self.x1 == self.x0:
            self.x1 = self.x0 + 1
        if self.y1 == self.y0:
            self.y1 = self.y0 + 1
        self.xlabel, self.ylabel = xlabel, ylabel

    def x(self, value):
        return PAD + (value - self.x0) / (self.x1 - self.x0) * (WIDTH - 2 * PAD)

    def y(self, value):
        return HEIGHT - PAD - (value - self.y0) / (self.y1 - self.y0) * (HEIGHT - 2 * PAD)

    def frame(self):
        parts = [
            f'<rect x="{PAD}" y="{PAD}" width="{WIDTH - 2 * PAD}" height="{HEIGHT - 2 * PAD}" '
            'fill="none" stroke="#999"/>'
        ]
        for value in np.linspace(self.y0, self.y1, 5):
            parts.append(
                f'<text x="{PAD - 4}" y="{self.y(value) + 4:.1f}" font-size="10" '
                f'text-anchor="end">{value:.4g}</text>'
            )
        for value in np.linspace(self.x0, self.x1, 5):
            parts.append(
                f'<text x="{self.x(value):.1f}" y="{HEIGHT - PAD + 14}" font-size="10" '
                f'text-anchor="middle">{value:.4g}</text>'
            )
        parts.append(
            f'<text x="{WIDTH / 2}" y="{HEIGHT - 8}" font-size="12" text-anchor="middle">'
            f"{html.escape(self.xlabel)}</text>"
        )
        parts.append(
            f'<text x="12" y="{HEIGHT / 2}" font-size="12" text-anchor="middle" '
            f'transform="rotate(-90 12 {HEIGHT / 2})">{html.escape(self.ylabel)}</text>'
        )
        return parts


def _svg(parts):
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}">' + "".join(parts) + "</svg>"
    )


def _ordered_trials(oracle):
    return sorted(oracle.trials.values(), key=lambda t: int(t.trial_id))


def optimization_history(oracle):
    trials = [t for t in _ordered_trials(oracle) if t.score is not None and math.isfinite(t.score)]
    axes = _Axes([int(t.trial_id) for t in trials], [t.score for t in trials], "trial", "score")
    parts = axes.frame()
    best, line = None, []
    for trial in trials:
        number = int(trial.trial_id)
        if trial.status == TrialStatus.COMPLETED and oracle.objective.better_than(trial.score, best):
            best = trial.score
        if best is not None:
            line.append(f"{axes.x(number):.1f},{axes.y(best):.1f}")
        color = COLORS.get(trial.status, "#333")
        parts.append(
            f'<circle cx="{axes.x(number):.1f}" cy="{axes.y(trial.score):.1f}" r="4" fill="{color}">'
            f"<title>trial {trial.trial_id} ({trial.status}): {trial.score:.5g}</title></circle>"
        )
    if line:
        parts.append(f'<polyline points="{" ".join(line)}" fill="none" stroke="#ff7f0e" stroke-width="2"/>')
    return _svg(parts)


def intermediate_values(oracle):
    trials = [t for t in _ordered_trials(oracle) if t.intermediate_values]
    steps = [s for t in trials for s in t.intermediate_values]
    values = [v for t in trials for v in t.intermediate_values.values()]
    axes = _Axes(steps, values, "epoch (step)", oracle.objective.name)
    parts = axes.frame()
    for trial in trials:
        items = sorted((s, v) for s, v in trial.intermediate_values.items() if math.isfinite(v))
        points = " ".join(f"{axes.x(s):.1f},{axes.y(v):.1f}" for s, v in items)
        color = COLORS.get(trial.status, "#333")
        parts.append(
            f'<polyline points="{points}" fill="none" stroke="{color}" stroke-opacity="0.7">'
            f"<title>trial {trial.trial_id} ({trial.status})</title></polyline>"
        )
        if trial.status == TrialStatus.PRUNED and items:
            s, v = items[-1]
            parts.append(
                f'<text x="{axes.x(s):.1f}" y="{axes.y(v):.1f}" font-size="12" fill="{color}">x</text>'
            )
    return _svg(parts)


def _hp_columns(oracle):
    space = []
    for hp in oracle.hyperparameters.space:
        if hp.name not in [h.name for h in space] and not hp.name.startswith("tuner/"):
            space.append(hp)
    return space


def _encode(hp, value):
    try:
        return float(hp.value_to_prob(value))
    except Exception:
        return 0.5


def parallel_coordinates(oracle):
    space = _hp_columns(oracle)
    trials = [
        t for t in _ordered_trials(oracle)
        if t.status == TrialStatus.COMPLETED and t.score is not None and math.isfinite(t.score)
    ]
    columns = [*space, None]
    if not trials or not space:
        return "<p>Not enough completed trials.</p>"
    scores = [t.score for t in trials]
    low, high = min(scores), max(scores)
    span = (high - low) or 1.0
    step = (WIDTH - 2 * PAD) / max(len(columns) - 1, 1)
    parts = []
    for i, hp in enumerate(columns):
        x = PAD + i * step
        label = "score" if hp is None else hp.name
        parts.append(f'<line x1="{x:.1f}" y1="{PAD}" x2="{x:.1f}" y2="{HEIGHT - PAD}" stroke="#999"/>')
        parts.append(
            f'<text x="{x:.1f}" y="{PAD - 8}" font-size="11" text-anchor="middle">{html.escape(label)}</text>'
        )
    for trial in trials:
        quality = (trial.score - low) / span
        if oracle.objective.direction == "min":
            quality = 1 - quality
        color = f"rgb({int(220 * (1 - quality))},{int(60 + 120 * quality)},{int(200 * quality)})"
        points = []
        for i, hp in enumerate(columns):
            if hp is None:
                position = (trial.score - low) / span
            else:
                value = trial.hyperparameters.values.get(hp.name)
                position = 0.5 if value is None else _encode(hp, value)
            y = HEIGHT - PAD - position * (HEIGHT - 2 * PAD)
            points.append(f"{PAD + i * step:.1f},{y:.1f}")
        parts.append(
            f'<polyline points="{" ".join(points)}" fill="none" stroke="{color}" stroke-opacity="0.8">'
            f"<title>trial {trial.trial_id}: {trial.score:.5g}</title></polyline>"
        )
    return _svg(parts)


def hyperparameter_importance(oracle):
    """Importance of each hyperparameter: random-forest impurity importance
    of the encoded values on the score (|Spearman| with < 8 trials)."""
    space = _hp_columns(oracle)
    trials = [
        t for t in oracle.trials.values()
        if t.status == TrialStatus.COMPLETED and t.score is not None and math.isfinite(t.score)
    ]
    if len(trials) < 3 or not space:
        return {}
    x = np.asarray(
        [[_encode(hp, t.hyperparameters.values.get(hp.name, hp.default)) for hp in space] for t in trials]
    )
    y = np.asarray([t.score for t in trials])
    if len(trials) >= 8:
        from sklearn.ensemble import RandomForestRegressor

        forest = RandomForestRegressor(n_estimators=64, random_state=0).fit(x, y)
        importance = forest.feature_importances_
    else:
        from scipy.stats import spearmanr

        importance = np.asarray(
            [abs(np.nan_to_num(spearmanr(x[:, i], y)[0])) if np.ptp(x[:, i]) else 0.0 for i in range(len(space))]
        )
    total = float(np.sum(importance)) or 1.0
    return {hp.name: float(v) / total for hp, v in zip(space, importance)}


def importance_chart(importance):
    if not importance:
        return "<p>Not enough completed trials.</p>"
    items = sorted(importance.items(), key=lambda item: -item[1])
    height = 28 * len(items) + 20
    parts = []
    for i, (name, value) in enumerate(items):
        y = 10 + 28 * i
        parts.append(f'<text x="150" y="{y + 15}" font-size="12" text-anchor="end">{html.escape(name)}</text>')
        parts.append(f'<rect x="158" y="{y}" width="{value * 400:.1f}" height="20" fill="#1f77b4"/>')
        parts.append(f'<text x="{164 + value * 400:.1f}" y="{y + 15}" font-size="11">{value:.2f}</text>')
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}">' + "".join(parts) + "</svg>"
    )


def trials_table(oracle):
    space = _hp_columns(oracle)
    header = ["trial", "status", "score", *[hp.name for hp in space]]
    rows = []
    for trial in _ordered_trials(oracle):
        cells = [trial.trial_id, trial.status, "" if trial.score is None else f"{trial.score:.5g}"]
        cells += [str(trial.hyperparameters.values.get(hp.name, "")) for hp in space]
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


def write_report(oracle, path="report.html", title="study"):
    """Writes the HTML report of `oracle`'s study to `path`; returns `path`."""
    counts = {}
    for trial in oracle.trials.values():
        counts[trial.status] = counts.get(trial.status, 0) + 1
    best = oracle.get_best_trials(1)
    best_text = (
        f"trial {best[0].trial_id}: {oracle.objective.name} = {best[0].score:.6g}, "
        f"{html.escape(json.dumps(best[0].hyperparameters.values, default=str))}"
        if best else "no completed trial yet"
    )
    importance = hyperparameter_importance(oracle)
    legend = " ".join(
        f'<span style="color:{color}">&#9632; {status}</span>' for status, color in COLORS.items()
    )
    body = f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>kerasverse tuner report: {html.escape(title)}</title>
<style>
body {{ font-family: sans-serif; margin: 24px; color: #222; }}
section {{ margin-bottom: 28px; }}
table {{ border-collapse: collapse; font-size: 13px; }}
td, th {{ border: 1px solid #ccc; padding: 3px 8px; }}
th {{ cursor: pointer; background: #f2f2f2; }}
</style><script>{_SCRIPT}</script></head><body>
<h1>Study {html.escape(title)}</h1>
<p>Objective: {html.escape(str(oracle.objective))}. Trials: {len(oracle.trials)}
({html.escape(", ".join(f"{k}: {v}" for k, v in sorted(counts.items())))}).
Written {time.strftime("%Y-%m-%d %H:%M:%S")}.</p>
<p><b>Best</b>: {best_text}</p>
<p>{legend}</p>
<section><h2>Optimization history</h2>{optimization_history(oracle)}</section>
<section><h2>Intermediate values (x: pruned)</h2>{intermediate_values(oracle)}</section>
<section><h2>Parallel coordinates</h2>{parallel_coordinates(oracle)}</section>
<section><h2>Hyperparameter importance</h2>{importance_chart(importance)}</section>
<section><h2>Trials</h2>{trials_table(oracle)}</section>
</body></html>
"""
    with open(path, "w", encoding="utf-8") as f:
        f.write(body)
    return path
