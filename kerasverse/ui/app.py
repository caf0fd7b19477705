"""`create_app`: the UI's Starlette application (read-only).

Routes: HTML pages (`/`, `/studies`, `/studies/{key}`, `/pipelines...`,
`/models`) and the JSON they are drawn from (`/api/...`). Every store error
becomes a message on the page (or `{"error"}` from the API), never a stack
trace. Route functions are plain `def`s: Starlette runs them in its thread
pool, so reading a database never blocks the event loop.
"""

from __future__ import annotations

import json
import math
import os
import threading
from collections.abc import Iterable
from typing import Any

from kerasverse.tuner.report import figures
from kerasverse.ui import pages
from kerasverse.ui.catalog import Catalog
from kerasverse.ui.study_source import PAGE_SIZE
from kerasverse.ui.study_source import StoreError

ASSETS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "assets")
ASSET_TYPES = {".js": "text/javascript", ".css": "text/css"}


def _import_starlette():
    try:
        import starlette  # noqa: F401
    except ImportError as error:  # pragma: no cover - depends on the install
        raise ImportError(
            "`kerasverse ui` needs Starlette and uvicorn: pip install 'kerasverse[serving,ui]'."
        ) from error


def clean_json(value: Any) -> Any:
    """`value` with NaN/Infinity replaced by None (strict JSON)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): clean_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean_json(v) for v in value]
    return value


def create_app(roots: Iterable[str] = (), server_urls: Iterable[str] = (), extra_sections=()):
    """The UI as an ASGI app.

    Args:
        roots: Folders to search for tuner projects and pipeline roots, study
            `.db` files, or SQLAlchemy URLs of study databases.
        server_urls: Base URLs of running `kerasverse serve` servers
            (`http://127.0.0.1:8501`).

    Example:

    ```python
    import uvicorn
    from kerasverse.ui import create_app
    uvicorn.run(create_app(["runs/"]), host="127.0.0.1", port=8080)
    ```
    """
    _import_starlette()
    from starlette.applications import Starlette
    from starlette.responses import FileResponse
    from starlette.responses import HTMLResponse
    from starlette.responses import JSONResponse
    from starlette.responses import Response
    from starlette.routing import Route

    catalog = Catalog(roots, server_urls)

    def json_response(payload, status_code=200):
        return JSONResponse(clean_json(payload), status_code=status_code)

    def api_error(message, status_code):
        return json_response({"error": message}, status_code)

    def page_error(title, message, status_code=200, active="/"):
        return HTMLResponse(pages.layout(title, pages.error_box(message), active), status_code=status_code)

    # ---------------------------------------------------------------- assets
    def asset(request):
        name = request.path_params["name"]
        if name == "plotly.min.js":
            return FileResponse(figures.plotly_js_path(), media_type="text/javascript",
                                headers={"Cache-Control": "max-age=86400"})
        path = os.path.join(ASSETS, os.path.basename(name))
        if os.path.basename(name) != name or not os.path.isfile(path):
            return Response("not found", status_code=404, media_type="text/plain")
        return FileResponse(path, media_type=ASSET_TYPES.get(os.path.splitext(name)[1], "text/plain"))

    # --------------------------------------------------------------- studies
    def study_rows():
        rows = []
        for source, ref, error in catalog.studies():
            if error is not None:
                rows.append({"key": None, "store": source.label, "error": error})
                continue
            try:
                summary = source.summary(ref.name)
            except StoreError as store_error:
                rows.append({"key": ref.key, "store": source.label, "name": ref.name, "error": str(store_error)})
                continue
            rows.append({"key": ref.key, "store": source.label, **summary})
        return rows

    def studies_table(rows):
        body = []
        for row in rows:
            if row.get("error"):
                body.append([pages.cell(row["store"]), pages.cell(row.get("name", "")),
                             f'<td colspan="4">{pages.error_box(row["error"])}</td>'])
                continue
            link = f'<a href="/studies/{row["key"]}">{pages.esc(row["name"])}</a>'
            body.append([
                pages.cell(row["store"]), pages.cell(row["name"], "name", raw=link),
                pages.cell(row["status"], "status", raw=pages.status_badge(row["status"])),
                pages.cell(row["num_trials"], "num_trials"),
                pages.cell(row["objective"], "objective"),
                pages.cell(row["best_score"], "best_score"),
            ])
        if not body:
            return "<p class='empty'>No tuner study found under " + pages.esc(", ".join(catalog.roots)) + ".</p>"
        return pages.table(["store", "study", "status", "trials", "objective", "best"], body, "studies")

    def api_studies(request):
        return json_response({"studies": study_rows(), "problems": catalog.problems})

    def studies_page(request):
        rows = study_rows()
        problems = "".join(pages.error_box(p) for p in catalog.problems)
        return HTMLResponse(pages.layout("Studies", problems + studies_table(rows), "/studies",
                                         {"page": "studies"}))

    def find_study(key):
        try:
            return catalog.find_study(key)
        except KeyError:
            return None, None

    def api_study(request):
        source, ref = find_study(request.path_params["key"])
        if source is None:
            return api_error(f"No study with key {request.path_params['key']!r}.", 404)
        try:
            return json_response({"key": ref.key, "store": source.label, **source.summary(ref.name)})
        except StoreError as error:
            return api_error(str(error), 503)

    def trial_query(request):
        params = request.query_params
        try:
            page = max(int(params.get("page", "1")), 1)
            limit = min(max(int(params.get("limit", str(PAGE_SIZE))), 1), 500)
        except ValueError as error:
            raise ValueError(f"`page` and `limit` must be integers. Received: {dict(params)}") from error
        return {
            "offset": (page - 1) * limit, "limit": limit, "sort": params.get("sort", "number"),
            "descending": params.get("desc", "0") in ("1", "true"), "status": params.get("status") or None,
        }

    def api_trials(request):
        source, ref = find_study(request.path_params["key"])
        if source is None:
            return api_error(f"No study with key {request.path_params['key']!r}.", 404)
        try:
            return json_response(source.trials_page(ref.name, **trial_query(request)))
        except ValueError as error:
            return api_error(str(error), 400)
        except StoreError as error:
            return api_error(str(error), 503)

    serialized: dict[tuple[str, str], tuple[int, bytes]] = {}

    def figures_response(request, kind):
        source, ref = find_study(request.path_params["key"])
        if source is None:
            return api_error(f"No study with key {request.path_params['key']!r}.", 404)
        try:
            result = source.study_figures(ref.name) if kind == "figures" else source.study_importance(ref.name)
        except StoreError as error:
            return api_error(str(error), 503)
        # Figures are cached per revision; so is their JSON (megabytes for big studies).
        cached = serialized.get((ref.key, kind))
        if cached is None or cached[0] != result["revision"]:
            cached = (result["revision"], json_dumps(result).encode())
            serialized[(ref.key, kind)] = cached
        return Response(cached[1], media_type="application/json")

    def api_figures(request):
        return figures_response(request, "figures")

    def api_importance(request):
        return figures_response(request, "importance")

    def trials_html(key, page, query_args):
        columns = page["columns"]
        headers = []
        for column in ["number", "status", "score", *columns, "duration", "message"]:
            if column == "message":
                headers.append("message")
                continue
            descending = "0" if (page["sort"] == column and page["descending"]) else "1" if page["sort"] == column else "0"
            arrow = (" ▼" if page["descending"] else " ▲") if page["sort"] == column else ""
            href = pages.query(sort=column, desc=descending, status=query_args["status"])
            label = "trial" if column == "number" else column
            headers.append(f'<a class="sort" data-sort="{pages.esc(column)}" href="{href}">'
                           f"{pages.esc(label)}{arrow}</a>")
        rows = []
        for trial in page["trials"]:
            cells = [
                pages.cell(trial["trial_id"], "trial_id", raw=f'{pages.esc(trial["trial_id"])}'
                           f'<span hidden data-field="number" data-value="{trial["number"]}"></span>'),
                pages.cell(trial["status"], "status", raw=pages.status_badge(trial["status"])),
                pages.cell(trial["score"], "score"),
            ]
            cells += [pages.cell(trial["values"].get(c), f"hp:{c}") for c in columns]
            cells.append(pages.cell(None if trial["duration"] is None else round(trial["duration"], 3), "duration"))
            message = trial["message"] or ""
            last_line = message.strip().splitlines()[-1] if message.strip() else ""
            shown = (f"<details><summary>{pages.esc(last_line)}</summary><pre>{pages.esc(message)}</pre></details>"
                     if "\n" in message.strip() else pages.esc(message))
            cells.append(pages.cell(message, "message", raw=shown, css="message"))
            rows.append(cells)
        table = pages.table(headers, rows, "trials", raw_headers=True)
        pages_total = max((page["total"] + page["limit"] - 1) // page["limit"], 1)
        current = page["offset"] // page["limit"] + 1
        links = []
        for label, number in (("« first", 1), ("‹ prev", current - 1), ("next ›", current + 1), ("last »", pages_total)):
            if 1 <= number <= pages_total and number != current:
                href = pages.query(sort=page["sort"], desc="1" if page["descending"] else None,
                                   status=query_args["status"], page=number)
                links.append(f'<a class="pager" href="{href}">{label}</a>')
        statuses = "".join(
            f'<a class="filter" href="{pages.query(status=s)}">{pages.esc(s or "all")}</a> '
            for s in ("", "COMPLETED", "PRUNED", "FAILED", "RUNNING")
        )
        pager = (f'<p class="pager-line">Trials {page["offset"] + 1 if page["total"] else 0}–'
                 f'{page["offset"] + len(page["trials"])} of <span id="trial-total">{page["total"]}</span> · '
                 f'page {current}/{pages_total} {" ".join(links)} · show: {statuses}</p>')
        return pager + table

    def study_page(request):
        key = request.path_params["key"]
        source, ref = find_study(key)
        if source is None:
            return page_error("Study not found", f"No study with key {key!r} under {', '.join(catalog.roots)}.",
                              404, "/studies")
        try:
            summary = source.summary(ref.name)
            query_args = trial_query(request)
            page = source.trials_page(ref.name, **query_args)
        except ValueError as error:
            return page_error(ref.name, str(error), 400, "/studies")
        except StoreError as error:
            return page_error(ref.name, str(error), 200, "/studies")
        counts = ", ".join(f"{k}: {v}" for k, v in sorted(summary["counts"].items())) or "no trials"
        best = (f'trial <span id="best-trial">{pages.esc(summary["best_trial"])}</span>, '
                f'<span id="best-score">{pages.esc(pages.fmt(summary["best_score"]))}</span>'
                if summary["best_score"] is not None else "no completed trial yet")
        info = f"""<div class="summary">
<p>Store: {pages.esc(source.label)} · objective: <b>{pages.esc(summary["objective"])}</b>
({pages.esc("/".join(summary["directions"]))}) · status {pages.status_badge(summary["status"])}
· <span id="num-trials">{summary["num_trials"]}</span> trials ({pages.esc(counts)}) · best: {best}
· <span class="live" id="live">revision <span id="revision">{summary["revision"]}</span></span></p></div>"""
        plots = "".join(
            f'<section class="plot-box"><div class="plot" id="plot-{name}" data-figure="{name}"></div></section>'
            for name in ("history", "intermediate", "parallel", "importance", "pareto")
        )
        body = info + f'<div class="plots">{plots}</div><h2>Trials</h2>' + trials_html(key, page, query_args)
        data = {"page": "study", "key": key, "revision": summary["revision"]}
        return HTMLResponse(pages.layout(f"Study {ref.name}", body, "/studies", data))

    # ------------------------------------------------------------- overview
    def overview(request):
        rows = study_rows()
        problems = "".join(pages.error_box(p) for p in catalog.problems)
        sections = [f"<section><h2>Studies</h2>{problems}{studies_table(rows)}</section>"]
        for section in extra_sections:
            sections.append(section.overview_html(catalog))
        return HTMLResponse(pages.layout("Overview", "".join(sections), "/", {"page": "overview"}))

    def healthz(request):
        return json_response({"status": "ok", "roots": catalog.roots})

    routes = [
        Route("/", overview),
        Route("/healthz", healthz),
        Route("/assets/{name}", asset),
        Route("/studies", studies_page),
        Route("/studies/{key}", study_page),
        Route("/api/studies", api_studies),
        Route("/api/studies/{key}", api_study),
        Route("/api/studies/{key}/trials", api_trials),
        Route("/api/studies/{key}/figures", api_figures),
        Route("/api/studies/{key}/importance", api_importance),
    ]
    for section in extra_sections:
        routes.extend(section.routes(catalog))

    async def not_found(request, exc):
        if request.url.path.startswith("/api/"):
            return api_error(f"No route {request.url.path}.", 404)
        return page_error("Not found", f"No page at {request.url.path}.", 404)

    async def server_error(request, exc):
        message = f"The UI could not render {request.url.path}: {exc.__class__.__name__}: {exc}"
        if request.url.path.startswith("/api/"):
            return api_error(message, 500)
        return page_error("Error", message, 500)

    def warm_up():
        # The importance figure's random forest: import scikit-learn before a
        # page needs it (about a second on a cold interpreter).
        try:
            import sklearn.ensemble  # noqa: F401
        except ImportError:  # pragma: no cover - scikit-learn is a core dependency
            pass

    threading.Thread(target=warm_up, name="kerasverse-ui-warm-up", daemon=True).start()
    app = Starlette(routes=routes, exception_handlers={404: not_found, Exception: server_error})
    app.state.catalog = catalog
    return app


def json_dumps(value: Any) -> str:
    return json.dumps(clean_json(value))
