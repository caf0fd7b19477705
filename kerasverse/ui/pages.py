"""HTML of the UI's pages: a shared layout and small escaping helpers.

Pages are rendered on the server (tables, paging, sorting); `ui.js` draws the
Plotly figures from the JSON routes and polls for changes while a search runs.
"""

from __future__ import annotations

import html
import json
import math
from typing import Any
from urllib.parse import urlencode

NAV = (("/", "Overview"), ("/studies", "Studies"), ("/pipelines", "Pipelines"), ("/models", "Models"))


def esc(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def fmt(value: Any, digits: int = 6) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        return f"{value:.{digits}g}"
    return str(value)


def query(**params) -> str:
    return "?" + urlencode({k: v for k, v in params.items() if v is not None and v != ""})


def layout(title: str, body: str, active: str = "/", script_data: dict | None = None) -> str:
    nav = " ".join(
        f'<a href="{href}" class="{"active" if href == active else ""}">{esc(text)}</a>' for href, text in NAV
    )
    data = ""
    if script_data is not None:
        payload = json.dumps(script_data).replace("</", "<\\/")
        data = f'<script id="kv-data" type="application/json">{payload}</script>'
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(title)} · kerasverse ui</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/assets/ui.css">
<script src="/assets/plotly.min.js"></script>
<script src="/assets/ui.js" defer></script>
</head><body>
<header><span class="brand">kerasverse ui</span><nav>{nav}</nav></header>
<main><h1>{esc(title)}</h1>
{body}
</main>{data}
</body></html>
"""


def error_box(message: str) -> str:
    return f'<div class="error" role="alert">{esc(message)}</div>'


def table(headers: list[str], rows: list[list[str]], table_id: str = "", raw_headers: bool = False) -> str:
    head = "".join(f"<th>{h if raw_headers else esc(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(cells) + "</tr>" for cells in rows)
    ident = f' id="{table_id}"' if table_id else ""
    return f'<table{ident}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def cell(value: Any, field: str = "", raw: str | None = None, css: str = "") -> str:
    attributes = ""
    if field:
        attributes += f' data-field="{esc(field)}"'
        attributes += f' data-value="{esc(json.dumps(value, default=str))}"'
    if css:
        attributes += f' class="{esc(css)}"'
    return f"<td{attributes}>{raw if raw is not None else esc(fmt(value))}</td>"


def status_badge(status: str | None) -> str:
    status = status or "?"
    return f'<span class="status status-{esc(status.lower())}">{esc(status)}</span>'
