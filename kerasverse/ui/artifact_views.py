"""What an artifact page shows of the artifact's contents, by artifact type.

Filled per type as `kerasverse.pipeline` defines its artifact formats:
StatisticsGen's statistics (per feature, per split), ExampleValidator's
anomalies, the Evaluator's metrics per slice and the blessing.
"""

from __future__ import annotations

from typing import Any

VIEWS: dict[str, Any] = {}


def render(artifact: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """(html, figures) for the artifact's type; ("", {}) for other types."""
    view = VIEWS.get(artifact.get("type"))
    if view is None:
        return "", {}
    return view(artifact)
