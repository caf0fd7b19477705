"""The UI's Pipelines view: runs, their component DAG, artifacts and lineage.

Metadata stores are found under the UI's roots (SQLite files holding ML
Metadata's tables, e.g. the `metadata.sqlite` of a pipeline root) or given as
database URLs. Artifact pages add what the artifact holds where the pipeline
package can read it: StatisticsGen's per-feature statistics (train and eval
side by side, as Facets shows them), ExampleValidator's anomalies, and the
Evaluator's metrics per slice with thresholds and the blessing.
"""

from __future__ import annotations

import os
from typing import Any

from kerasverse.tuner.report.figures import STATUS_COLORS
from kerasverse.ui import pages
from kerasverse.ui.catalog import _walk
from kerasverse.ui.metadata_source import RUNS_PAGE
from kerasverse.ui.metadata_source import MetadataSource
from kerasverse.ui.metadata_source import is_metadata_sqlite
from kerasverse.ui.study_source import StoreError
from kerasverse.ui.study_source import sqlite_url

STATE_COLORS = {
    "COMPLETE": STATUS_COLORS["COMPLETED"], "CACHED": "#9467bd", "FAILED": STATUS_COLORS["FAILED"],
    "RUNNING": STATUS_COLORS["RUNNING"], "NEW": "#bbbbbb", "CANCELED": "#bbbbbb", "SKIPPED": "#bbbbbb",
}
METADATA_SUFFIXES = (".sqlite", ".sqlite3", ".db", ".mlmd")


def dag_figure(nodes: dict[str, dict], edges: list[tuple[str, str]], title: str) -> dict[str, Any]:
    """A left-to-right layered drawing of a DAG as a Plotly figure.

    Args:
        nodes: id -> {"label", "kind" ("execution"|"artifact"|"file"), "state"?, "href"?}.
        edges: (source id, target id) pairs.
    """
    parents: dict[str, list[str]] = {n: [] for n in nodes}
    for source, target in edges:
        if source in nodes and target in nodes:
            parents[target].append(source)
    layer: dict[str, int] = {}

    def depth(node, trail=()):
        if node in layer:
            return layer[node]
        if node in trail:  # A cycle would be a store error; draw it flat.
            return 0
        layer[node] = 1 + max((depth(p, (*trail, node)) for p in parents[node]), default=-1)
        return layer[node]

    for node in nodes:
        depth(node)
    columns: dict[int, list[str]] = {}
    for node in sorted(nodes, key=lambda n: (layer[n], nodes[n]["label"])):
        columns.setdefault(layer[node], []).append(node)
    position = {}
    for x, members in columns.items():
        for index, node in enumerate(members):
            position[node] = (x, -(index - (len(members) - 1) / 2))
    edge_x, edge_y, annotations = [], [], []
    for source, target in edges:
        if source not in position or target not in position:
            continue
        (x0, y0), (x1, y1) = position[source], position[target]
        edge_x += [x0, x1, None]
        edge_y += [y0, y1, None]
        annotations.append({
            "x": x1 - 0.12 * (x1 - x0), "y": y1 - 0.12 * (y1 - y0), "ax": x0, "ay": y0,
            "xref": "x", "yref": "y", "axref": "x", "ayref": "y", "showarrow": True,
            "arrowhead": 2, "arrowsize": 1, "arrowwidth": 1, "arrowcolor": "#999", "text": "",
        })
    data = [{"type": "scatter", "mode": "lines", "x": edge_x, "y": edge_y, "hoverinfo": "skip",
             "line": {"color": "#bbb", "width": 1}, "showlegend": False}]
    for kind, symbol in (("execution", "square"), ("artifact", "circle"), ("file", "diamond")):
        members = [n for n in nodes if nodes[n].get("kind", "execution") == kind]
        if not members:
            continue
        data.append({
            "type": "scatter", "mode": "markers+text", "name": kind,
            "x": [position[n][0] for n in members], "y": [position[n][1] for n in members],
            "text": [nodes[n]["label"] for n in members], "textposition": "top center",
            "customdata": [nodes[n].get("href", "") for n in members],
            "hovertext": [f"{nodes[n]['label']} ({nodes[n].get('state') or nodes[n].get('uri') or kind})"
                          for n in members],
            "hoverinfo": "text",
            "marker": {"symbol": symbol, "size": 18 if kind == "execution" else 12,
                       "color": [STATE_COLORS.get(nodes[n].get("state"), "#17becf" if kind == "artifact" else "#8c564b")
                                 for n in members],
                       "line": {"color": "#333", "width": 1}},
        })
    height = max(260, 70 * max((len(m) for m in columns.values()), default=1) + 120)
    layout = {
        "title": {"text": title}, "height": height, "showlegend": True, "hovermode": "closest",
        "xaxis": {"visible": False, "range": [-0.6, max(columns, default=0) + 0.6]},
        "yaxis": {"visible": False}, "annotations": annotations,
        "margin": {"l": 20, "r": 20, "t": 40, "b": 20},
    }
    return {"data": data, "layout": layout}


class PipelineSection:
    """The Pipelines pages and their JSON routes."""

    def __init__(self):
        self._sources: dict[str, MetadataSource] = {}

    def sources(self, catalog) -> list[MetadataSource]:
        found = []
        for root in catalog.roots:
            if "://" in root:
                try:
                    source = self._sources.setdefault(root, MetadataSource(root, root))
                    source.runs(limit=1)
                except StoreError:
                    continue
                found.append(source)
                continue
            candidates = []
            if os.path.isfile(root):
                candidates = [root]
            elif os.path.isdir(root):
                for folder, files in _walk(root):
                    candidates += [os.path.join(folder, f) for f in files
                                   if f.endswith(METADATA_SUFFIXES) and f != "study.db"]
            for path in candidates:
                if not is_metadata_sqlite(path):
                    continue
                url = sqlite_url(path)
                label = os.path.relpath(os.path.dirname(os.path.abspath(path)), os.path.dirname(os.path.abspath(root)))
                found.append(self._sources.setdefault(url, MetadataSource(url, label)))
        return found

    def find(self, catalog, key) -> MetadataSource | None:
        return next((s for s in self.sources(catalog) if s.key == key), None)

    # ------------------------------------------------------------------ html
    def _runs_html(self, source, page=1) -> str:
        try:
            result = source.runs(offset=(page - 1) * RUNS_PAGE, limit=RUNS_PAGE)
        except StoreError as error:
            return pages.error_box(str(error))
        rows = []
        for run in result["runs"]:
            link = f'<a href="/pipelines/{source.key}/runs/{run["id"]}">{pages.esc(run["name"])}</a>'
            counts = ", ".join(f"{k}: {v}" for k, v in sorted(run["counts"].items()))
            rows.append([
                pages.cell(run["name"], "run", raw=link),
                pages.cell(run["status"], "status", raw=pages.status_badge(run["status"])),
                pages.cell(counts, "counts"),
                pages.cell(_time(run["created_ms"]), "created"),
            ])
        if not rows:
            return "<p class='empty'>No run recorded yet.</p>"
        pager = ""
        if result["total"] > RUNS_PAGE:
            last = (result["total"] + RUNS_PAGE - 1) // RUNS_PAGE
            links = [f'<a class="pager" href="?page={n}">{label}</a>'
                     for label, n in (("‹ newer", page - 1), ("older ›", page + 1)) if 1 <= n <= last]
            pager = f"<p>Runs page {page}/{last} ({result['total']} runs) {' '.join(links)}</p>"
        return pager + pages.table(["run", "status", "components", "started"], rows, f"runs-{source.key}")

    def _stores_html(self, catalog, page=1) -> str:
        sources = self.sources(catalog)
        if not sources:
            return ("<p class='empty'>No pipeline metadata store found under "
                    f"{pages.esc(', '.join(catalog.roots))}.</p>")
        return "".join(
            f"<h3>{pages.esc(source.label)}</h3>{self._runs_html(source, page)}" for source in sources
        )

    def overview_html(self, catalog) -> str:
        return f"<section><h2>Pipeline runs</h2>{self._stores_html(catalog)}</section>"

    def run_body(self, source, run) -> tuple[str, dict]:
        nodes, edges = {}, []
        by_component = {e["component"]: e for e in run["executions"]}
        for execution in run["executions"]:
            nodes[f"e{execution['id']}"] = {
                "label": execution["component"], "kind": "execution", "state": execution["state"],
                "href": f"/pipelines/{source.key}/runs/{run['id']}#exec-{execution['id']}",
            }
        producers = {}
        for event in run["events"]:
            if event["type"] in ("OUTPUT", "DECLARED_OUTPUT"):
                producers[event["artifact_id"]] = f"e{event['execution_id']}"
        for artifact_id, artifact in run["artifacts"].items():
            producer = artifact["properties"].get("producer_component")
            if artifact_id not in producers and producer in by_component:
                producers[artifact_id] = f"e{by_component[producer]['id']}"
        for event in run["events"]:
            if event["type"] in ("INPUT", "DECLARED_INPUT") and event["artifact_id"] in producers:
                source_node, target = producers[event["artifact_id"]], f"e{event['execution_id']}"
                if source_node != target:
                    edges.append((source_node, target))
        figure = dag_figure(nodes, sorted(set(edges)), f"Run {run['name']}")
        rows = []
        for execution in run["executions"]:
            outputs = [
                f'<a href="/pipelines/{source.key}/artifacts/{ev["artifact_id"]}">'
                f'{pages.esc(ev["path"])}: {pages.esc(run["artifacts"].get(ev["artifact_id"], {}).get("type", "?"))}'
                f' #{ev["artifact_id"]}</a>'
                for ev in run["events"] if ev["execution_id"] == execution["id"] and ev["type"] == "OUTPUT"
            ]
            inputs = [
                f'<a href="/pipelines/{source.key}/artifacts/{ev["artifact_id"]}">{pages.esc(ev["path"])}'
                f' #{ev["artifact_id"]}</a>'
                for ev in run["events"] if ev["execution_id"] == execution["id"] and ev["type"] == "INPUT"
            ]
            rows.append([
                f'<td id="exec-{execution["id"]}" data-field="component" '
                f'data-value="{pages.esc(_json(execution["component"]))}">{pages.esc(execution["component"])}</td>',
                pages.cell(execution["state"], "state", raw=pages.status_badge(execution["state"])
                           + (f" <small>{pages.esc(execution['note'])}</small>" if execution.get("note") else "")),
                pages.cell(execution["type"], "type"),
                pages.cell(None if execution["duration_s"] is None else round(execution["duration_s"], 3), "duration_s"),
                pages.cell(len(inputs), "num_inputs", raw="<br>".join(inputs)),
                pages.cell(len(outputs), "num_outputs", raw="<br>".join(outputs)),
            ])
        table = pages.table(["component", "state", "type", "seconds", "inputs", "outputs"], rows, "executions")
        body = ('<section class="plot-box"><div class="plot" id="plot-dag" data-figure="dag"></div></section>'
                f"<h2>Components</h2>{table}")
        return body, {"dag": figure}

    def artifact_body(self, source, artifact) -> tuple[str, dict]:
        figures_out = {}
        props = [[pages.cell(k), pages.cell(_short(v), f"prop:{k}")] for k, v in sorted(artifact["properties"].items())]
        props += [[pages.cell(f"custom: {k}"), pages.cell(_short(v), f"custom:{k}")]
                  for k, v in sorted(artifact["custom_properties"].items())]
        links = lambda items: "<br>".join(  # noqa: E731
            f"{pages.esc(i['component'])} (execution {i['execution_id']}, {pages.esc(i['path'])})" for i in items
        ) or "—"
        body = [
            f"<p>Type <b id='artifact-type'>{pages.esc(artifact['type'])}</b> · URI "
            f"<code id='artifact-uri'>{pages.esc(artifact['uri'])}</code></p>",
            f"<p>Produced by: {links(artifact['producers'])}<br>Read by: {links(artifact['consumers'])}</p>",
            pages.table(["property", "value"], props, "properties") if props else "",
        ]
        try:
            lineage = source.lineage(artifact["id"])
        except StoreError as error:
            body.append(pages.error_box(str(error)))
        else:
            for node in lineage["nodes"].values():
                if node["kind"] == "artifact":
                    node["href"] = f"/pipelines/{source.key}/artifacts/{node['id']}"
            figures_out["lineage"] = dag_figure(lineage["nodes"], lineage["edges"], "Lineage (upstream)")
            files = sorted({n["uri"] for n in lineage["nodes"].values() if n["kind"] == "file"})
            body.append('<h2>Lineage</h2><section class="plot-box"><div class="plot" id="plot-lineage" '
                        'data-figure="lineage"></div></section>')
            body.append("<p>Data files at the root of this artifact's lineage: "
                        + (", ".join(f"<code class='lineage-file'>{pages.esc(f)}</code>" for f in files) or "none")
                        + "</p>")
        from kerasverse.ui import artifact_views

        extra_html, extra_figures = artifact_views.render(artifact)
        body.append(extra_html)
        figures_out.update(extra_figures)
        return "".join(body), figures_out

    # ---------------------------------------------------------------- routes
    def routes(self, catalog):
        from starlette.responses import HTMLResponse
        from starlette.responses import JSONResponse
        from starlette.routing import Route

        from kerasverse.ui.app import clean_json

        def error_page(title, message, status_code):
            return HTMLResponse(pages.layout(title, pages.error_box(message), "/pipelines"), status_code=status_code)

        def page_number(request):
            try:
                return max(int(request.query_params.get("page", "1")), 1)
            except ValueError:
                return 1

        def pipelines_page(request):
            body = self._stores_html(catalog, page_number(request))
            return HTMLResponse(pages.layout("Pipeline runs", body, "/pipelines", {"page": "pipelines"}))

        def run_page(request):
            source = self.find(catalog, request.path_params["key"])
            if source is None:
                return error_page("Not found", f"No metadata store with key {request.path_params['key']!r}.", 404)
            try:
                run = source.run(int(request.path_params["run_id"]))
            except (KeyError, ValueError):
                return error_page("Not found", f"No run {request.path_params['run_id']!r} in {source.label}.", 404)
            except StoreError as error:
                return error_page("Run", str(error), 200)
            body, figures_out = self.run_body(source, run)
            return HTMLResponse(pages.layout(f"Run {run['name']}", body, "/pipelines",
                                             clean_json({"page": "run", "figures": figures_out})))

        def artifact_page(request):
            source = self.find(catalog, request.path_params["key"])
            if source is None:
                return error_page("Not found", f"No metadata store with key {request.path_params['key']!r}.", 404)
            try:
                artifact = source.artifact(int(request.path_params["artifact_id"]))
            except (KeyError, ValueError):
                return error_page("Not found", f"No artifact {request.path_params['artifact_id']!r}.", 404)
            except StoreError as error:
                return error_page("Artifact", str(error), 200)
            body, figures_out = self.artifact_body(source, artifact)
            return HTMLResponse(pages.layout(f"{artifact['type']} #{artifact['id']}", body, "/pipelines",
                                             clean_json({"page": "artifact", "figures": figures_out})))

        def api_pipelines(request):
            result = []
            for source in self.sources(catalog):
                try:
                    runs = source.runs(offset=(page_number(request) - 1) * RUNS_PAGE)
                    result.append({"key": source.key, "store": source.label, **runs})
                except StoreError as error:
                    result.append({"key": source.key, "store": source.label, "error": str(error)})
            return JSONResponse(clean_json({"stores": result}))

        def api_run(request):
            source = self.find(catalog, request.path_params["key"])
            if source is None:
                return JSONResponse({"error": "No such metadata store."}, status_code=404)
            try:
                return JSONResponse(clean_json(source.run(int(request.path_params["run_id"]))))
            except (KeyError, ValueError):
                return JSONResponse({"error": f"No run {request.path_params['run_id']!r}."}, status_code=404)

        def api_lineage(request):
            source = self.find(catalog, request.path_params["key"])
            if source is None:
                return JSONResponse({"error": "No such metadata store."}, status_code=404)
            try:
                lineage = source.lineage(int(request.path_params["artifact_id"]))
            except (KeyError, ValueError):
                return JSONResponse({"error": f"No artifact {request.path_params['artifact_id']!r}."}, status_code=404)
            return JSONResponse(clean_json({"nodes": lineage["nodes"], "edges": lineage["edges"]}))

        return [
            Route("/pipelines", pipelines_page),
            Route("/pipelines/{key}/runs/{run_id}", run_page),
            Route("/pipelines/{key}/artifacts/{artifact_id}", artifact_page),
            Route("/api/pipelines", api_pipelines),
            Route("/api/pipelines/{key}/runs/{run_id}", api_run),
            Route("/api/pipelines/{key}/artifacts/{artifact_id}/lineage", api_lineage),
        ]


def _time(ms) -> str:
    if ms is None:
        return ""
    import time

    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(ms / 1000))


def _short(value, limit=300) -> str:
    text = value if isinstance(value, str) else _json(value)
    return text if len(text) <= limit else text[:limit] + "…"


def _json(value) -> str:
    import json

    return json.dumps(value, default=str)
