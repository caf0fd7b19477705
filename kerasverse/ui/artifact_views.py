"""What an artifact page shows of the artifact's contents, by artifact type.

- `ExampleStatistics` (StatisticsGen): per feature, every split side by side
  — count, missing %, mean, std, min, median, max, zeros or unique and top
  values — and a histogram per feature with one trace per split (what TFDV's
  Facets overview shows). Read from `Split-*/FeatureStats.json`.
- `ExampleAnomalies` (ExampleValidator): each split's anomalies (TFDV's kinds,
  severity, description) from `Split-*/SchemaDiff.json`.
- `ModelEvaluation` (Evaluator): metrics per slice for the candidate and the
  baseline, the thresholds that failed, and whether the model was blessed
  (`metrics.json`, `validations.json`).
- `ModelBlessing`: blessed or not, and against which baseline.
"""

from __future__ import annotations

import glob
import json
import os
from typing import Any

from kerasverse.tuner.report.figures import STATUS_COLORS
from kerasverse.ui import pages

SPLIT_COLORS = [STATUS_COLORS["COMPLETED"], "#ff7f0e", "#2ca02c", "#9467bd"]
MAX_FEATURE_PLOTS = 24


def _splits(uri: str, filename: str) -> dict[str, Any]:
    result = {}
    for path in sorted(glob.glob(os.path.join(uri or "", "Split-*", filename))):
        split = os.path.basename(os.path.dirname(path))[len("Split-"):]
        try:
            with open(path, encoding="utf-8") as handle:
                result[split] = json.load(handle)
        except (OSError, ValueError) as error:
            result[split] = {"error": f"{path}: {error}"}
    return result


def _missing_files(artifact, what) -> str:
    return pages.error_box(f"No {what} found under {artifact.get('uri')} (moved or deleted?).")


def statistics_view(artifact):
    splits = _splits(artifact["uri"], "FeatureStats.json")
    if not splits:
        return _missing_files(artifact, "Split-*/FeatureStats.json"), {}
    features: dict[str, dict[str, Any]] = {}
    errors = []
    for split, payload in splits.items():
        if "error" in payload:
            errors.append(payload["error"])
            continue
        dataset = payload["datasets"][0] if "datasets" in payload else payload
        for feature in dataset.get("features", []):
            features.setdefault(feature["name"], {})[split] = feature
    split_names = [s for s in splits if "error" not in splits[s]]
    rows, figures = [], {}
    for name, per_split in features.items():
        for split in split_names:
            feature = per_split.get(split)
            if feature is None:
                rows.append([pages.cell(name, "feature"), pages.cell(split, "split"),
                             '<td colspan="9" class="anomaly">missing in this split</td>'])
                continue
            numeric = feature.get("num_stats")
            stats = numeric or feature.get("string_stats") or {}
            common = stats.get("common_stats", {})
            present, missing = common.get("num_non_missing", 0), common.get("num_missing", 0)
            missing_pct = 100.0 * missing / (present + missing) if present + missing else 0.0
            if numeric:
                detail = [pages.cell(numeric.get(k), f"{split}:{name}:{k}") for k in ("mean", "std_dev", "min",
                                                                                    "median", "max", "num_zeros")]
                top = ""
            else:
                detail = ['<td colspan="5"></td>', pages.cell(stats.get("unique"), f"{split}:{name}:unique")]
                top = ", ".join(f"{v['value']} ({v['frequency']})" for v in stats.get("top_values", [])[:5])
            rows.append([pages.cell(name, "feature"), pages.cell(split, "split"),
                         pages.cell(feature.get("type"), "type"),
                         pages.cell(present, f"{split}:{name}:count"),
                         pages.cell(round(missing_pct, 2), f"{split}:{name}:missing_pct"),
                         *detail, pages.cell(top, "top_values")])
        if len(figures) < MAX_FEATURE_PLOTS:
            figure = _feature_figure(name, per_split, split_names)
            if figure is not None:
                figures[f"feature-{len(figures)}"] = figure
    table = pages.table(["feature", "split", "type", "count", "missing %", "mean", "std", "min", "median",
                         "max", "zeros / unique", "top values"], rows, "statistics")
    plots = "".join(
        f'<section class="plot-box"><div class="plot" id="plot-{key}" data-figure="{key}"></div></section>'
        for key in figures
    )
    html = ("<h2>Statistics (per feature, splits side by side)</h2>"
            + "".join(pages.error_box(e) for e in errors) + table + f'<div class="plots">{plots}</div>')
    return html, figures


def _feature_figure(name, per_split, split_names):
    data = []
    for index, split in enumerate(split_names):
        feature = per_split.get(split)
        if feature is None:
            continue
        color = SPLIT_COLORS[index % len(SPLIT_COLORS)]
        if feature.get("num_stats"):
            histograms = feature["num_stats"].get("histograms") or []
            standard = next((h for h in histograms if h.get("type") == "STANDARD"), None)
            if not standard:
                continue
            buckets = standard["buckets"]
            total = sum(b["sample_count"] for b in buckets) or 1.0
            data.append({
                "type": "bar", "name": split, "marker": {"color": color}, "opacity": 0.7,
                "x": [(b["low_value"] + b["high_value"]) / 2 for b in buckets],
                "width": [max(b["high_value"] - b["low_value"], 1e-12) for b in buckets],
                "y": [b["sample_count"] / total for b in buckets],
            })
        elif feature.get("string_stats"):
            top = feature["string_stats"].get("top_values", [])[:10]
            total = feature["string_stats"].get("common_stats", {}).get("num_non_missing") or 1
            data.append({"type": "bar", "name": split, "marker": {"color": color},
                         "x": [v["value"] for v in top], "y": [v["frequency"] / total for v in top]})
    if not data:
        return None
    return {"data": data, "layout": {
        "title": {"text": name}, "barmode": "group" if data[0]["type"] == "bar" and "width" not in data[0] else "overlay",
        "height": 260, "margin": {"l": 50, "r": 10, "t": 36, "b": 40},
        "yaxis": {"title": {"text": "fraction"}}, "legend": {"orientation": "h"},
    }}


def anomalies_view(artifact):
    splits = _splits(artifact["uri"], "SchemaDiff.json")
    if not splits:
        return _missing_files(artifact, "Split-*/SchemaDiff.json"), {}
    rows = []
    for split, payload in splits.items():
        if "error" in payload:
            rows.append([pages.cell(split, "split"), f'<td colspan="4">{pages.error_box(payload["error"])}</td>'])
            continue
        for feature, info in sorted((payload.get("anomaly_info") or {}).items()):
            kinds = ", ".join(r.get("type", "?") for r in info.get("reason", []))
            rows.append([pages.cell(split, "split"), pages.cell(feature, "feature"),
                         pages.cell(info.get("severity"), "severity", css="anomaly"),
                         pages.cell(kinds, "kinds"), pages.cell(info.get("description"), "description")])
    if not rows:
        return "<h2>Anomalies</h2><p class='pass' id='no-anomalies'>No anomalies in any split.</p>", {}
    return "<h2>Anomalies</h2>" + pages.table(["split", "feature", "severity", "kind", "description"],
                                              rows, "anomalies"), {}


def evaluation_view(artifact):
    uri = artifact["uri"] or ""
    try:
        with open(os.path.join(uri, "metrics.json"), encoding="utf-8") as handle:
            metrics = json.load(handle)
        with open(os.path.join(uri, "validations.json"), encoding="utf-8") as handle:
            validation = json.load(handle)
    except (OSError, ValueError) as error:
        return pages.error_box(f"The evaluation under {uri} cannot be read: {error}"), {}
    candidate, baseline = metrics.get("candidate") or {}, metrics.get("baseline") or {}
    failed = {(f.get("slice"), f.get("metric")) for f in validation.get("failures", [])}
    rows = []
    for slice_name in sorted(candidate):
        for metric, value in sorted(candidate[slice_name].items()):
            base = (baseline.get(slice_name) or {}).get(metric)
            verdict = "fail" if (slice_name, metric) in failed else ""
            rows.append([
                pages.cell(slice_name, "slice"), pages.cell(metric, "metric"),
                pages.cell(value, f"candidate:{slice_name}:{metric}"),
                pages.cell(base, f"baseline:{slice_name}:{metric}"),
                pages.cell(None if base is None or value is None else value - base, f"change:{slice_name}:{metric}"),
                pages.cell(verdict, "verdict", css=verdict),
            ])
    ok = validation.get("validation_ok")
    verdict = (f"<p id='blessing' class='{'pass' if ok else 'fail'}'>"
               f"{'BLESSED: every threshold holds' if ok else 'NOT BLESSED: a threshold failed'}"
               + (" (no baseline: change thresholds skipped)" if validation.get("change_thresholds_skipped") else "")
               + "</p>")
    failures = "".join(
        f"<li class='fail'>{pages.esc(f.get('slice'))} · {pages.esc(f.get('metric'))} = "
        f"{pages.esc(pages.fmt(f.get('value')))} ({pages.esc(f.get('kind'))} threshold"
        f"{', baseline ' + pages.esc(pages.fmt(f.get('baseline'))) if f.get('baseline') is not None else ''})</li>"
        for f in validation.get("failures", [])
    )
    body = ("<h2>Evaluation</h2>" + verdict + (f"<ul>{failures}</ul>" if failures else "")
            + pages.table(["slice", "metric", "candidate", "baseline", "change", "threshold"], rows, "metrics"))
    return body, {}


def blessing_view(artifact):
    custom = artifact.get("custom_properties") or {}
    blessed = custom.get("blessed")
    if blessed is None:
        blessed = int(os.path.exists(os.path.join(artifact.get("uri") or "", "BLESSED")))
    text = "BLESSED" if int(blessed) else "NOT BLESSED"
    baseline = custom.get("baseline_model")
    return (f"<h2>Blessing</h2><p id='blessing' class='{'pass' if int(blessed) else 'fail'}'>{text}</p>"
            + (f"<p>Against baseline model <code>{pages.esc(baseline)}</code></p>" if baseline else
               "<p>No baseline (first model).</p>")), {}


VIEWS = {
    "ExampleStatistics": statistics_view,
    "ExampleAnomalies": anomalies_view,
    "ModelEvaluation": evaluation_view,
    "ModelBlessing": blessing_view,
}


def render(artifact: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """(html, figures) for the artifact's type; ("", {}) for other types."""
    view = VIEWS.get(artifact.get("type"))
    if view is None:
        return "", {}
    return view(artifact)
