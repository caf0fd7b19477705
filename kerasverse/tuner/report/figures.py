"""Plotly figures of a study, shared by the HTML report and `kerasverse ui`.

Every function here takes *trial records* — plain dicts, so a study read
straight from its database (the UI) and an oracle in memory (the report) draw
the same pictures — and returns a Plotly figure as a JSON-able dict
(`{"data": [...], "layout": {...}}`), drawn by plotly.js in the page. Nothing
here imports Keras or Plotly's Python package.

A trial record:

```python
{"number": 3, "trial_id": "3", "status": "COMPLETED", "score": 0.12,
 "values": {"units": 64, "lr": 1e-3},      # hyperparameter values
 "intermediate": {0: 0.9, 1: 0.5},        # step -> value (pruning reports)
 "objectives": [0.12, 3400.0],            # multi-objective studies, else None
 "message": None, "started": 1.7e9, "ended": 1.7e9}
```

A search space is the list of serialized hyperparameters
(`{"class_name": "Float", "config": {...}}`) that the study stores.

Example:

>>> records = [{"number": i, "trial_id": str(i), "status": "COMPLETED",
...             "score": float(10 - i), "values": {"x": i}, "intermediate": {}}
...            for i in range(3)]
>>> figure = history_figure(records, direction="min", objective_name="loss")
>>> [trace["name"] for trace in figure["data"]]
['COMPLETED', 'best so far']
"""

import math

import numpy as np

STATUS_COLORS = {
    "COMPLETED": "#1f77b4",
    "PRUNED": "#d62728",
    "FAILED": "#7f7f7f",
    "INVALID": "#bcbd22",
    "RUNNING": "#2ca02c",
}


def _finite(value):
    return value is not None and isinstance(value, (int, float)) and math.isfinite(value)


def _layout(title, xlabel, ylabel, **extra):
    layout = {
        "title": {"text": title},
        "xaxis": {"title": {"text": xlabel}},
        "yaxis": {"title": {"text": ylabel}},
        "margin": {"l": 60, "r": 20, "t": 40, "b": 50},
        "height": 340,
        "hovermode": "closest",
    }
    layout.update(extra)
    return layout


def _better(direction, a, b):
    if b is None:
        return True
    return a < b if direction == "min" else a > b


def history_figure(records, direction, objective_name):
    """Score per trial, one marker colour per status, and the best-so-far line.

    Args:
        records: Trial records (see the module docstring).
        direction: `"min"` or `"max"`.
        objective_name: The objective's name (the y axis title).
    """
    ordered = sorted(records, key=lambda r: r["number"])
    data = []
    for status, color in STATUS_COLORS.items():
        points = [r for r in ordered if r["status"] == status and _finite(r.get("score"))]
        if not points:
            continue
        data.append({
            "type": "scatter", "mode": "markers", "name": status,
            "x": [r["number"] for r in points], "y": [r["score"] for r in points],
            "text": [f"trial {r['trial_id']}" for r in points],
            "marker": {"color": color, "size": 7},
        })
    best, xs, ys = None, [], []
    for r in ordered:
        if r["status"] == "COMPLETED" and _finite(r.get("score")) and _better(direction, r["score"], best):
            best = r["score"]
        if best is not None:
            xs.append(r["number"])
            ys.append(best)
    if xs:
        data.append({
            "type": "scatter", "mode": "lines", "name": "best so far", "x": xs, "y": ys,
            "line": {"color": "#ff7f0e", "width": 2, "shape": "hv"},
        })
    return {"data": data, "layout": _layout("Optimization history", "trial", objective_name)}


def intermediate_figure(records, objective_name):
    """The values each trial reported per step; pruned trials end in an x.

    One line trace per status (trials separated by gaps), so a study of
    thousands of trials stays a handful of traces.
    """
    lines: dict[str, dict[str, list]] = {}
    pruned_x, pruned_y, pruned_text = [], [], []
    for r in sorted(records, key=lambda r: r["number"]):
        items = sorted((int(s), v) for s, v in (r.get("intermediate") or {}).items() if _finite(v))
        if not items:
            continue
        line = lines.setdefault(r["status"], {"x": [], "y": [], "text": []})
        for step, value in items:
            line["x"].append(step)
            line["y"].append(value)
            line["text"].append(f"trial {r['trial_id']}")
        line["x"].append(None)
        line["y"].append(None)
        line["text"].append(None)
        if r["status"] == "PRUNED":
            pruned_x.append(items[-1][0])
            pruned_y.append(items[-1][1])
            pruned_text.append(f"trial {r['trial_id']} pruned")
    data = [
        {"type": "scatter", "mode": "lines", "name": status, "x": line["x"], "y": line["y"], "text": line["text"],
         "line": {"color": STATUS_COLORS.get(status, "#333333"), "width": 1}, "opacity": 0.6,
         "connectgaps": False}
        for status, line in lines.items()
    ]
    if pruned_x:
        data.append({
            "type": "scatter", "mode": "markers", "name": "pruned", "x": pruned_x, "y": pruned_y,
            "text": pruned_text, "marker": {"symbol": "x", "size": 10, "color": STATUS_COLORS["PRUNED"]},
        })
    return {"data": data, "layout": _layout("Intermediate values (x: pruned)", "step", objective_name)}


def space_columns(space):
    """The tunable hyperparameters of a serialized space, in order, once each
    (fixed values and the tuner's own `tuner/*` entries left out)."""
    columns, seen = [], set()
    for entry in space or []:
        config = entry.get("config", {})
        name = config.get("name")
        if not name or name in seen or name.startswith("tuner/") or entry.get("class_name") == "Fixed":
            continue
        seen.add(name)
        columns.append({"name": name, "class_name": entry.get("class_name"), "config": config})
    return columns


def encode_value(column, value):
    """A hyperparameter value on [0, 1] (log scale for log sampling; a
    category by its index), or None when it cannot be encoded."""
    config = column["config"]
    kind = column["class_name"]
    try:
        if kind in ("Float", "Int"):
            low, high, value = float(config["min_value"]), float(config["max_value"]), float(value)
            if config.get("sampling") in ("log", "reverse_log") and low > 0 and value > 0:
                low, high, value = math.log(low), math.log(high), math.log(value)
            return 0.5 if high == low else (value - low) / (high - low)
        if kind == "Boolean":
            return float(bool(value))
        if kind == "Choice":
            values = list(config.get("values", []))
            if value not in values:
                return None
            return 0.5 if len(values) == 1 else values.index(value) / (len(values) - 1)
    except (TypeError, ValueError, KeyError):
        return None
    return None


def _scored(records):
    return [r for r in records if r["status"] == "COMPLETED" and _finite(r.get("score"))]


def parallel_coordinates_figure(records, space, direction):
    """One line per completed trial through its hyperparameters and score."""
    columns = space_columns(space)
    trials = _scored(records)
    if not trials or not columns:
        return None
    dimensions = []
    for column in columns:
        values = [r["values"].get(column["name"]) for r in trials]
        if column["class_name"] in ("Float", "Int"):
            numbers = [float(v) if isinstance(v, (int, float)) else float("nan") for v in values]
            dimension = {"label": column["name"], "values": numbers}
            if column["config"].get("sampling") in ("log", "reverse_log"):
                dimension["values"] = [math.log10(v) if v > 0 else float("nan") for v in numbers]
                dimension["label"] = f"log10 {column['name']}"
        else:
            categories = list(column["config"].get("values", [False, True]))
            labels = [str(c) for c in categories]
            dimension = {
                "label": column["name"],
                "values": [categories.index(v) if v in categories else -1 for v in values],
                "tickvals": list(range(len(categories))), "ticktext": labels,
            }
        dimensions.append(dimension)
    scores = [r["score"] for r in trials]
    dimensions.append({"label": "score", "values": scores})
    trace = {
        "type": "parcoords", "dimensions": dimensions,
        "line": {
            "color": scores, "colorscale": "Viridis", "showscale": True,
            "reversescale": direction == "min",
        },
    }
    layout = {"title": {"text": "Parallel coordinates"}, "height": 380,
              "margin": {"l": 70, "r": 70, "t": 70, "b": 30}}
    return {"data": [trace], "layout": layout}


def hyperparameter_importance_from_records(records, space, max_trials=1000):
    """Importance of each hyperparameter for the score, summing to 1.

    Random-forest impurity importance of the encoded values (with 8 or more
    completed trials), else |Spearman correlation|. Empty with fewer than 3.
    Studies larger than `max_trials` completed trials use a fixed random
    subset of that size.
    """
    columns = space_columns(space)
    trials = _scored(records)
    if len(trials) < 3 or not columns:
        return {}
    if len(trials) > max_trials:
        # A fixed random subset: importance barely moves, the forest stays fast.
        picked = np.random.default_rng(0).choice(len(trials), max_trials, replace=False)
        trials = [trials[i] for i in sorted(picked)]
    x = np.asarray([
        [
            value if (value := encode_value(c, r["values"].get(c["name"]))) is not None else 0.5
            for c in columns
        ]
        for r in trials
    ])
    y = np.asarray([r["score"] for r in trials])
    if len(trials) >= 8:
        from sklearn.ensemble import RandomForestRegressor

        forest = RandomForestRegressor(n_estimators=64, random_state=0, min_samples_leaf=2)
        importance = forest.fit(x, y).feature_importances_
    else:
        from scipy.stats import spearmanr

        importance = np.asarray([
            abs(np.nan_to_num(spearmanr(x[:, i], y)[0])) if np.ptp(x[:, i]) else 0.0
            for i in range(len(columns))
        ])
    total = float(np.sum(importance)) or 1.0
    return {c["name"]: float(v) / total for c, v in zip(columns, importance)}


def importance_figure(importance):
    """A horizontal bar per hyperparameter, most important on top."""
    if not importance:
        return None
    items = sorted(importance.items(), key=lambda item: item[1])
    trace = {
        "type": "bar", "orientation": "h", "x": [v for _, v in items], "y": [k for k, _ in items],
        "text": [f"{v:.2f}" for _, v in items], "textposition": "auto", "marker": {"color": "#1f77b4"},
    }
    layout = _layout("Hyperparameter importance", "importance", "", height=max(160, 40 * len(items) + 80))
    return {"data": [trace], "layout": layout}


def pareto_front(records, directions):
    """The completed trials that no other trial beats on every objective.

    Args:
        records: Trial records with an `objectives` vector each.
        directions: `"min"`/`"max"` per objective.

    Returns:
        The front's records, ordered by their first objective.
    """
    points = []
    for r in _scored(records) if records else []:
        vector = r.get("objectives")
        if vector is None or len(vector) != len(directions) or not all(_finite(v) for v in vector):
            continue
        points.append((r, np.asarray([v if d == "min" else -v for v, d in zip(vector, directions)])))
    front = [
        (r, v) for r, v in points
        if not any(np.all(o <= v) and np.any(o < v) for _, o in points)
    ]
    front.sort(key=lambda item: tuple(item[1]))
    return [r for r, _ in front]


def pareto_figure(records, objective_names, directions):
    """Every completed trial on the first two objectives, the front highlighted."""
    if len(objective_names) < 2:
        return None
    front_numbers = {r["number"] for r in pareto_front(records, directions)}
    points = [r for r in _scored(records) if r.get("objectives") and len(r["objectives"]) >= 2]
    if not points:
        return None
    data = []
    for on_front, name, color in ((False, "dominated", "#aaaaaa"), (True, "Pareto front", "#d62728")):
        chosen = sorted((r for r in points if (r["number"] in front_numbers) == on_front),
                        key=lambda r: r["objectives"][0])
        data.append({
            "type": "scatter", "mode": "markers+lines" if on_front else "markers", "name": name,
            "x": [r["objectives"][0] for r in chosen], "y": [r["objectives"][1] for r in chosen],
            "text": [f"trial {r['trial_id']}" for r in chosen],
            "marker": {"color": color, "size": 8}, "line": {"shape": "hv"},
        })
    return {"data": data, "layout": _layout("Pareto front", objective_names[0], objective_names[1])}


def objective_spec(objective_config):
    """(names, directions) of a serialized objective: one entry per
    objective of a multi-objective study, else the single objective."""
    if not objective_config:
        return ["default_objective"], ["min"]
    if "objectives" in objective_config:
        return (
            [o.get("name", "?") for o in objective_config["objectives"]],
            [o.get("direction", "min") for o in objective_config["objectives"]],
        )
    return [objective_config.get("name", "default_objective")], [objective_config.get("direction", "min")]


def objective_vector(trial_config, names):
    """A trial's value for each objective (at its best step), or None."""
    metrics = (trial_config.get("metrics") or {}).get("metrics") or {}
    step = trial_config.get("best_step") or 0
    vector = []
    for name in names:
        observations = (metrics.get(name) or {}).get("observations") or []
        if not observations:
            return None
        by_step = {o["step"]: o["value"][0] if isinstance(o["value"], list) else o["value"] for o in observations}
        vector.append(by_step.get(step, list(by_step.values())[-1]))
    return vector


def record_from_config(config, number, objective_names=None):
    """A trial record from a stored trial config (`Trial.get_config()`)."""
    hyperparameters = config.get("hyperparameters") or {}
    record = {
        "number": int(number),
        "trial_id": str(config.get("trial_id", number)),
        "status": config.get("status"),
        "score": config.get("score"),
        "values": dict(hyperparameters.get("values") or {}),
        "intermediate": {int(k): v for k, v in (config.get("intermediate_values") or {}).items()},
        "message": config.get("message"),
        "started": config.get("started"),
        "ended": config.get("ended"),
        "objectives": None,
    }
    if objective_names and len(objective_names) > 1:
        record["objectives"] = objective_vector(config, objective_names)
    return record


def plotly_js_path():
    """The path of `plotly.min.js` inside the installed `plotly` wheel (the
    report inlines it and the UI serves it: no CDN, no network)."""
    import importlib.util
    import os

    spec = importlib.util.find_spec("plotly")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError(
            "The tuner report and `kerasverse ui` draw with plotly.js from the `plotly` "
            "package. Install it with `pip install 'kerasverse[ui]'` (or `pip install plotly`)."
        )
    path = os.path.join(list(spec.submodule_search_locations)[0], "package_data", "plotly.min.js")
    if not os.path.exists(path):
        raise ImportError(f"The installed plotly package has no plotly.min.js at {path}; reinstall plotly.")
    return path
