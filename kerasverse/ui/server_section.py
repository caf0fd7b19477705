"""The UI's Models view: what running `kerasverse serve` servers report.

For each server URL given with `--server`, the UI reads its Prometheus route
(`/monitoring/prometheus/metrics`) for the model names, request counts and
latencies, and TF Serving's status route (`/v1/models/NAME`) for each model's
versions and their states. The request rate is computed between two
consecutive reads. Nothing here changes a server.
"""

from __future__ import annotations

import re
import threading
import time
from typing import Any

from kerasverse.ui import pages

METRICS_PATH = "/monitoring/prometheus/metrics"
_SAMPLE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([^}]*)\})?\s+(\S+)")
_LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')
MODEL_LABELS = ("model_name", "model")


def parse_prometheus(text: str) -> list[tuple[str, dict[str, str], float]]:
    """(name, labels, value) of every sample in Prometheus' text format."""
    samples = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        match = _SAMPLE.match(line)
        if not match:
            continue
        labels = dict(_LABEL.findall(match.group(3) or ""))
        try:
            value = float(match.group(4))
        except ValueError:
            continue
        samples.append((match.group(1), labels, value))
    return samples


def model_metrics(samples) -> dict[str, dict[str, float]]:
    """Per model: total requests, errors, and the mean latency in ms, from
    counters and latency histograms whatever their exact names."""
    models: dict[str, dict[str, float]] = {}
    for name, labels, value in samples:
        model = next((labels[k] for k in MODEL_LABELS if k in labels), None)
        if model is None:
            continue
        entry = models.setdefault(model, {"requests": 0.0, "errors": 0.0, "latency_sum": 0.0, "latency_count": 0.0,
                                          "runtimes": {}})
        lowered = name.lower()
        if lowered.endswith("model_runtime") and "runtime" in labels:
            entry["runtimes"][labels.get("version", "?")] = labels["runtime"]
        elif "latency" in lowered or "duration" in lowered:
            # TF Serving's request latency histogram counts microseconds.
            if "seconds" in lowered:
                scale = 1000.0
            elif "micro" in lowered or lowered.startswith(":tensorflow:serving:"):
                scale = 0.001
            else:
                scale = 1.0
            if lowered.endswith("_sum"):
                entry["latency_sum"] += value * scale
            elif lowered.endswith("_count"):
                entry["latency_count"] += value
        elif "request" in lowered and (lowered.endswith("_total") or lowered.endswith("_count")):
            status = labels.get("status") or labels.get("code") or labels.get("status_code") or ""
            entry["requests"] += value
            if status and not status.startswith(("2", "OK", "ok")):
                entry["errors"] += value
    for entry in models.values():
        entry["mean_latency_ms"] = (
            entry["latency_sum"] / entry["latency_count"] if entry["latency_count"] else None
        )
    return models


class ServerSection:
    """The Models page and its JSON route."""

    def __init__(self, timeout: float = 3.0):
        self.timeout = timeout
        self._previous: dict[tuple[str, str], tuple[float, float]] = {}
        self._lock = threading.Lock()

    def read_server(self, url: str) -> dict[str, Any]:
        import httpx

        result: dict[str, Any] = {"url": url, "models": [], "error": None}
        try:
            response = httpx.get(url + METRICS_PATH, timeout=self.timeout)
            response.raise_for_status()
        except Exception as error:  # noqa: BLE001 - any failure is shown, not raised
            result["error"] = f"Cannot read {url}{METRICS_PATH}: {error.__class__.__name__}: {error}"
            return result
        metrics = model_metrics(parse_prometheus(response.text))
        now = time.monotonic()
        for model, entry in sorted(metrics.items()):
            versions, error = [], None
            try:
                status = httpx.get(f"{url}/v1/models/{model}", timeout=self.timeout).json()
                if "error" in status:
                    error = status["error"]
                versions = status.get("model_version_status", [])
            except Exception as failure:  # noqa: BLE001
                error = f"{failure.__class__.__name__}: {failure}"
            with self._lock:
                previous = self._previous.get((url, model))
                self._previous[(url, model)] = (now, entry["requests"])
            rate = None
            if previous and now > previous[0]:
                rate = max(entry["requests"] - previous[1], 0.0) / (now - previous[0])
            result["models"].append({
                "name": model, "versions": versions, "error": error, "requests": entry["requests"],
                "errors": entry["errors"], "mean_latency_ms": entry["mean_latency_ms"], "rate": rate,
                "runtimes": entry["runtimes"],
            })
        return result

    def read_all(self, catalog) -> list[dict[str, Any]]:
        return [self.read_server(url) for url in catalog.server_urls]

    def _html(self, servers, catalog) -> str:
        if not catalog.server_urls:
            return ("<p class='empty'>No model server given. Start one with "
                    "<code>kerasverse serve --model_name=NAME --model_base_path=DIR</code> and pass "
                    "<code>--server http://127.0.0.1:8501</code> to <code>kerasverse ui</code>.</p>")
        parts = []
        for server in servers:
            parts.append(f"<h3>{pages.esc(server['url'])}</h3>")
            if server["error"]:
                parts.append(pages.error_box(server["error"]))
                continue
            rows = []
            for model in server["models"]:
                versions = ", ".join(
                    f"{v.get('version')}: {v.get('state')}"
                    + (f" ({model['runtimes'][str(v.get('version'))]})" if str(v.get("version")) in model["runtimes"] else "")
                    for v in model["versions"]
                ) or (model["error"] or "")
                rows.append([
                    pages.cell(model["name"], "model"), pages.cell(versions, "versions"),
                    pages.cell(model["requests"], "requests"),
                    pages.cell(model["errors"], "errors"),
                    pages.cell(None if model["rate"] is None else round(model["rate"], 3), "rate"),
                    pages.cell(None if model["mean_latency_ms"] is None else round(model["mean_latency_ms"], 3),
                               "mean_latency_ms"),
                ])
            parts.append(pages.table(
                ["model", "versions (state)", "requests", "errors", "req/s (since last view)", "mean latency ms"],
                rows, "models",
            ) if rows else "<p class='empty'>The server reports no model yet.</p>")
        return "".join(parts)

    def overview_html(self, catalog) -> str:
        if not catalog.server_urls:
            return ""
        return f"<section><h2>Models</h2>{self._html(self.read_all(catalog), catalog)}</section>"

    def routes(self, catalog):
        from starlette.responses import HTMLResponse
        from starlette.responses import JSONResponse
        from starlette.routing import Route

        from kerasverse.ui.app import clean_json

        def models_page(request):
            body = self._html(self.read_all(catalog), catalog)
            return HTMLResponse(pages.layout("Models", body, "/models", {"page": "models"}))

        def api_models(request):
            return JSONResponse(clean_json({"servers": self.read_all(catalog)}))

        return [Route("/models", models_page), Route("/api/models", api_models)]
