"""Schemas (TFDV's `infer_schema`, a human-editable JSON/YAML file) and validation
(TFDV's `validate_statistics`: anomalies, drift against previous statistics).

The schema mirrors TensorFlow Metadata's `Schema` message in its JSON form:

```json
{"feature": [
  {"name": "island", "type": "BYTES", "domain": "island",
   "presence": {"min_fraction": 1.0, "min_count": 1}, "shape": {"dim": [{"size": 1}]},
   "drift_comparator": {"infinity_norm": {"threshold": 0.1}}},
  {"name": "bill_length_mm", "type": "FLOAT", "presence": {"min_count": 1},
   "value_count": {"min": 1, "max": 1}, "float_domain": {"min": 0.0, "max": 100.0},
   "drift_comparator": {"jensen_shannon_divergence": {"threshold": 0.1}}}],
 "string_domain": [{"name": "island", "value": ["Biscoe", "Dream", "Torgersen"]}]}
```
"""

from __future__ import annotations

import json
import os
from typing import Any

import numpy as np

from kerasverse.pipeline.data.statistics import feature_stats

SCHEMA_FILE = "schema.json"
_STATS_TO_SCHEMA_TYPE = {"INT": "INT", "FLOAT": "FLOAT", "STRING": "BYTES"}


def infer_schema(statistics: dict[str, Any], infer_feature_shape: bool = True,
                 max_string_domain_size: int = 100) -> dict[str, Any]:
    """Infers a schema from one dataset's statistics (TFDV's `infer_schema`).

    Args:
        statistics: Dataset statistics (one split's `FeatureStats.json` dataset).
        infer_feature_shape: Give always-present features a fixed shape `[1]`
            (else a `value_count`).
        max_string_domain_size: String features with at most this many distinct
            values get a `string_domain` (an enum); others stay free text.

    Returns:
        The schema as a dict (write it with `write_schema`).
    """
    features, domains = [], []
    num_examples = statistics["num_examples"]
    for stats in statistics["features"]:
        body = stats.get("num_stats") or stats.get("string_stats")
        common = body["common_stats"]
        feature: dict[str, Any] = {"name": stats["name"], "type": _STATS_TO_SCHEMA_TYPE[stats["type"]]}
        always_present = common["num_missing"] == 0 and common["num_non_missing"] == num_examples
        feature["presence"] = {"min_fraction": 1.0, "min_count": 1} if always_present else {"min_count": 1}
        if infer_feature_shape and always_present:
            feature["shape"] = {"dim": [{"size": 1}]}
        else:
            feature["value_count"] = {"min": 1, "max": 1}
        if stats["type"] == "STRING":
            values = [bucket["label"] for bucket in body["rank_histogram"]["buckets"]]
            if 0 < body["unique"] <= max_string_domain_size and len(values) == body["unique"]:
                feature["domain"] = stats["name"]
                domains.append({"name": stats["name"], "value": sorted(values)})
        features.append(feature)
    schema: dict[str, Any] = {"feature": features}
    if domains:
        schema["string_domain"] = domains
    return schema


def write_schema(schema: dict[str, Any], path: str) -> None:
    with open(path, "w") as handle:
        json.dump(schema, handle, indent=2)
        handle.write("\n")


def load_schema(path: str) -> dict[str, Any]:
    """Reads a schema file (JSON, or YAML when it ends in .yaml/.yml), or a Schema folder."""
    if os.path.isdir(path):
        path = os.path.join(path, SCHEMA_FILE)
    with open(path) as handle:
        text = handle.read()
    try:
        if path.endswith((".yaml", ".yml")):
            import yaml

            schema = yaml.safe_load(text)
        else:
            schema = json.loads(text)
    except Exception as error:
        raise ValueError(f"Cannot parse the schema file {path}: {error}. Fix the file's syntax.") from error
    if not isinstance(schema, dict) or not isinstance(schema.get("feature"), list):
        raise ValueError(
            f"The schema file {path} has no `feature` list. Expected "
            '{"feature": [{"name": ..., "type": "INT"|"FLOAT"|"BYTES"}, ...]}.'
        )
    for feature in schema["feature"]:
        if feature.get("type") not in ("INT", "FLOAT", "BYTES"):
            raise ValueError(
                f"The schema file {path}: feature {feature.get('name')!r} has type "
                f"{feature.get('type')!r}; expected INT, FLOAT or BYTES."
            )
    return schema


def schema_features(schema: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {feature["name"]: feature for feature in schema["feature"]}


def string_domain(schema: dict[str, Any], feature: dict[str, Any]) -> list[str] | None:
    if "string_domain" in feature:
        return list(feature["string_domain"].get("value", []))
    name = feature.get("domain")
    if not name:
        return None
    for domain in schema.get("string_domain", []):
        if domain["name"] == name:
            return list(domain.get("value", []))
    raise ValueError(f"The schema names string_domain {name!r} for feature {feature['name']!r} but defines none.")


def _anomaly(anomalies: dict[str, Any], feature: str, kind: str, short: str, description: str) -> None:
    info = anomalies.setdefault(feature, {"severity": "ERROR", "reason": []})
    info["reason"].append({"type": kind, "short_description": short, "description": description})
    info["short_description"] = info["reason"][0]["short_description"] if len(info["reason"]) == 1 else "Multiple errors"
    info["description"] = " ".join(reason["description"] for reason in info["reason"])


def _categorical_distribution(stats: dict[str, Any]) -> dict[str, float]:
    buckets = stats["string_stats"]["rank_histogram"]["buckets"]
    total = sum(bucket["sample_count"] for bucket in buckets) or 1.0
    return {bucket["label"]: bucket["sample_count"] / total for bucket in buckets}


def l_infinity_distance(current: dict[str, Any], previous: dict[str, Any]) -> float:
    """TFDV's categorical drift: the largest difference of a value's frequency share."""
    a, b = _categorical_distribution(current), _categorical_distribution(previous)
    return max((abs(a.get(key, 0.0) - b.get(key, 0.0)) for key in set(a) | set(b)), default=0.0)


def _histogram(stats: dict[str, Any]) -> list[dict[str, float]]:
    for histogram in stats["num_stats"].get("histograms", []):
        if histogram["type"] == "STANDARD":
            return histogram["buckets"]
    return []


def jensen_shannon_divergence(current: dict[str, Any], previous: dict[str, Any]) -> float:
    """TFDV's numeric drift: JS divergence (base 2) of the two standard histograms,
    re-bucketed on the union of their edges (mass spread uniformly inside a bucket)."""
    a, b = _histogram(current), _histogram(previous)
    if not a or not b:
        return 0.0
    edges = sorted({bucket[key] for bucket in a + b for key in ("low_value", "high_value")})

    def rebucket(buckets):
        mass = np.zeros(max(len(edges) - 1, 1))
        for bucket in buckets:
            low, high, count = bucket["low_value"], bucket["high_value"], bucket["sample_count"]
            if high <= low:
                mass[max(np.searchsorted(edges, low, side="right") - 1, 0) if len(edges) > 1 else 0] += count
                continue
            for i in range(len(edges) - 1):
                overlap = min(high, edges[i + 1]) - max(low, edges[i])
                if overlap > 0:
                    mass[i] += count * overlap / (high - low)
        total = mass.sum()
        return mass / total if total else mass

    p, q = rebucket(a), rebucket(b)
    m = (p + q) / 2

    def kl(x, y):
        mask = x > 0
        return float(np.sum(x[mask] * np.log2(x[mask] / y[mask])))

    return 0.5 * kl(p, m) + 0.5 * kl(q, m)


def validate_statistics(statistics: dict[str, Any], schema: dict[str, Any],
                        previous_statistics: dict[str, Any] | None = None) -> dict[str, Any]:
    """Checks one dataset's statistics against a schema (TFDV's `validate_statistics`).

    Args:
        statistics: The dataset statistics to check.
        schema: The schema (from `infer_schema` or `load_schema`).
        previous_statistics: Statistics to compare with for drift (features
            whose schema entry has a `drift_comparator`).

    Returns:
        `{"anomaly_info": {feature: {"severity", "short_description",
        "description", "reason": [{"type", ...}]}}}`, TFDV's kinds:
        SCHEMA_MISSING_COLUMN, SCHEMA_NEW_COLUMN, UNEXPECTED_DATA_TYPE,
        ENUM_TYPE_UNEXPECTED_STRING_VALUES, INT/FLOAT_TYPE_SMALL/BIG_*,
        FEATURE_TYPE_LOW_FRACTION_PRESENT, FEATURE_TYPE_LOW_NUMBER_PRESENT,
        COMPARATOR_L_INFTY_HIGH, COMPARATOR_JENSEN_SHANNON_DIVERGENCE_HIGH.
    """
    anomalies: dict[str, Any] = {}
    observed = feature_stats(statistics)
    previous = feature_stats(previous_statistics) if previous_statistics else {}
    num_examples = statistics["num_examples"]
    expected = schema_features(schema)
    for name in observed:
        if name not in expected:
            _anomaly(anomalies, name, "SCHEMA_NEW_COLUMN", "New column",
                     f"New column {name!r} (not in the schema). Fix: add it to the schema or drop it.")
    for name, feature in expected.items():
        stats = observed.get(name)
        presence = feature.get("presence", {})
        if stats is None:
            if presence.get("min_count", 0) > 0 or presence.get("min_fraction", 0) > 0:
                _anomaly(anomalies, name, "SCHEMA_MISSING_COLUMN", "Column dropped",
                         f"Column {name!r} is in the schema but not in the data.")
            continue
        actual_type = _STATS_TO_SCHEMA_TYPE[stats["type"]]
        if actual_type != feature["type"] and not (feature["type"] == "FLOAT" and actual_type == "INT"):
            _anomaly(anomalies, name, "UNEXPECTED_DATA_TYPE", "Unexpected data type",
                     f"Expected data of type {feature['type']} but got {actual_type}.")
            continue
        body = stats.get("num_stats") or stats.get("string_stats")
        common = body["common_stats"]
        present = common["num_non_missing"]
        fraction = present / num_examples if num_examples else 1.0
        if fraction < presence.get("min_fraction", 0.0):
            _anomaly(anomalies, name, "FEATURE_TYPE_LOW_FRACTION_PRESENT", "Column is missing values",
                     f"The feature is present in {fraction:.2%} of examples, less than the schema's "
                     f"min_fraction {presence['min_fraction']}.")
        if present < presence.get("min_count", 0):
            _anomaly(anomalies, name, "FEATURE_TYPE_LOW_NUMBER_PRESENT", "Column dropped",
                     f"The feature is present in {present} examples, fewer than min_count {presence['min_count']}.")
        if stats["type"] == "STRING":
            domain = string_domain(schema, feature)
            if domain is not None:
                seen = [bucket["label"] for bucket in body["rank_histogram"]["buckets"]]
                unexpected = sorted(set(seen) - set(domain))
                if unexpected:
                    _anomaly(anomalies, name, "ENUM_TYPE_UNEXPECTED_STRING_VALUES", "Unexpected string values",
                             f"Examples contain values missing from the schema: {', '.join(unexpected[:10])}.")
        elif present:
            for domain_key, prefix in (("int_domain", "INT"), ("float_domain", "FLOAT")):
                domain = feature.get(domain_key)
                if not domain:
                    continue
                if "min" in domain and body["min"] < domain["min"]:
                    _anomaly(anomalies, name, f"{prefix}_TYPE_SMALL_{'INT' if prefix == 'INT' else 'FLOAT'}",
                             "Out-of-range values", f"Values below the domain's min {domain['min']}: min is {body['min']}.")
                if "max" in domain and body["max"] > domain["max"]:
                    _anomaly(anomalies, name, f"{prefix}_TYPE_BIG_{'INT' if prefix == 'INT' else 'FLOAT'}",
                             "Out-of-range values", f"Values above the domain's max {domain['max']}: max is {body['max']}.")
        comparator = feature.get("drift_comparator")
        if comparator and name in previous:
            before = previous[name]
            if "infinity_norm" in comparator and stats["type"] == "STRING" and before["type"] == "STRING":
                distance = l_infinity_distance(stats, before)
                threshold = comparator["infinity_norm"]["threshold"]
                if distance > threshold:
                    _anomaly(anomalies, name, "COMPARATOR_L_INFTY_HIGH", "High L-infinity distance",
                             f"The L-infinity distance between current and previous is {distance:.4g} "
                             f"(up to six significant digits), above the threshold {threshold}.")
            if "jensen_shannon_divergence" in comparator and "num_stats" in stats and "num_stats" in before:
                divergence = jensen_shannon_divergence(stats, before)
                threshold = comparator["jensen_shannon_divergence"]["threshold"]
                if divergence > threshold:
                    _anomaly(anomalies, name, "COMPARATOR_JENSEN_SHANNON_DIVERGENCE_HIGH",
                             "High approximate Jensen-Shannon divergence",
                             f"The approximate Jensen-Shannon divergence between current and previous is "
                             f"{divergence:.4g}, above the threshold {threshold}.")
    return {"anomaly_info": anomalies}
