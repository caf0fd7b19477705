"""Server configuration files: TF Serving's `model_config_list` and `BatchingParameters` text formats (+ YAML/JSON)."""

import dataclasses
import json
import os
import re

from kerasverse.serving.batching import BatchingParameters

VERSION_POLICIES = ("latest", "all", "specific")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,127}$")


@dataclasses.dataclass(frozen=True)
class ModelConfig:
    """One served model (TF Serving's `ModelConfig`).

    Args:
        name: the model name in URLs (letters, digits, `_ . -`).
        base_path: the folder holding numeric version folders.
        version_policy: `"latest"` (the `num_versions` highest versions),
            `"all"`, or `"specific"` (the listed `versions`).
        num_versions: for `"latest"`.
        versions: for `"specific"`.
        version_labels: label -> version (`/v1/models/NAME/labels/stable`).

    Example:

    >>> ModelConfig("digits", "/models/digits").version_policy
    'latest'
    """

    name: str
    base_path: str
    version_policy: str = "latest"
    num_versions: int = 1
    versions: tuple = ()
    version_labels: dict = dataclasses.field(default_factory=dict)

    def __post_init__(self):
        check_model_name(self.name)
        if self.version_policy not in VERSION_POLICIES:
            raise ValueError(
                f"Unknown version policy. Received: version_policy={self.version_policy!r}; expected one of {VERSION_POLICIES}."
            )
        if self.version_policy == "latest" and (not isinstance(self.num_versions, int) or self.num_versions < 1):
            raise ValueError(f"`num_versions` must be >= 1. Received: num_versions={self.num_versions!r}")
        if self.version_policy == "specific" and not self.versions:
            raise ValueError(f"The specific version policy of model {self.name!r} lists no versions. Add `versions: N`.")
        for label, version in self.version_labels.items():
            if not isinstance(label, str) or not _NAME.match(label) or isinstance(version, bool) or not isinstance(version, int):
                raise ValueError(
                    f"A version label maps a name to an integer version. Received: {label!r} -> {version!r} for model {self.name!r}."
                )


def check_model_name(name: str) -> str:
    """Raises ValueError unless `name` is a safe model name (no path separators, no `..`)."""
    if not isinstance(name, str) or not _NAME.match(name) or ".." in name:
        raise ValueError(
            "A model name must be 1-128 letters, digits, '_', '.' or '-' (starting with a letter or digit, no '..'). "
            f"Received: name={name!r}"
        )
    return name


# ---- protobuf text format (the subset TF Serving's config files use) ----

_TOKEN = re.compile(
    r"""\s*(?:(\#[^\n]*)|([A-Za-z_][A-Za-z0-9_.]*)|("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')|([-+]?[0-9][0-9a-fA-FxX.eE+\-]*)|([:{}<>\[\],;]))"""
)


def _tokens(text: str):
    position = 0
    text = text.rstrip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if not match or match.end() == position:
            raise ValueError(f"Cannot parse the text format at offset {position}: {text[position:position + 30]!r}")
        position = match.end()
        comment, identifier, string, number, symbol = match.groups()
        if comment:
            continue
        if identifier is not None:
            yield ("id", identifier)
        elif string is not None:
            yield ("value", bytes(string[1:-1], "utf-8").decode("unicode_escape"))
        elif number is not None:
            yield ("value", float(number) if any(c in number for c in ".eE") and not number.lower().startswith("0x") else int(number, 0))
        else:
            yield ("symbol", symbol)


def parse_text_format(text: str) -> dict:
    """Parses protobuf text format into nested dicts whose values are lists (every field may repeat).

    Example:

    >>> parse_text_format("max_batch_size { value: 8 } allowed_batch_sizes: 4 allowed_batch_sizes: 8")
    {'max_batch_size': [{'value': [8]}], 'allowed_batch_sizes': [4, 8]}
    """
    tokens = list(_tokens(text))
    message, position = _message(tokens, 0, None)
    return message


def _message(tokens, position, closing):
    message: dict = {}
    while position < len(tokens):
        kind, value = tokens[position]
        if kind == "symbol" and value in ("}", ">"):
            if closing != value:
                raise ValueError(f"Unbalanced {value!r} in the text format.")
            return message, position + 1
        if kind == "symbol" and value in (",", ";"):
            position += 1
            continue
        if kind != "id":
            raise ValueError(f"Expected a field name in the text format. Received: {value!r}")
        name = value
        position += 1
        if position < len(tokens) and tokens[position] == ("symbol", ":"):
            position += 1
        if position >= len(tokens):
            raise ValueError(f"Field {name!r} has no value.")
        kind, value = tokens[position]
        if kind == "symbol" and value in ("{", "<"):
            child, position = _message(tokens, position + 1, "}" if value == "{" else ">")
            message.setdefault(name, []).append(child)
        elif kind == "symbol" and value == "[":
            position += 1
            while tokens[position] != ("symbol", "]"):
                if tokens[position] != ("symbol", ","):
                    message.setdefault(name, []).append(_scalar(tokens[position]))
                position += 1
            position += 1
        else:
            message.setdefault(name, []).append(_scalar(tokens[position]))
            position += 1
    if closing:
        raise ValueError(f"Missing {closing!r} in the text format.")
    return message, position


def _scalar(token):
    kind, value = token
    if kind == "id":
        return {"true": True, "false": False}.get(value, value)
    if kind == "value":
        return value
    raise ValueError(f"Expected a value in the text format. Received: {value!r}")


def _one(message: dict, name: str, default=None):
    values = message.get(name)
    if not values:
        return default
    return values[-1]


def _read_structured(path: str):
    with open(path, encoding="utf-8") as file:
        text = file.read()
    if path.endswith(".json"):
        return json.loads(text), False
    if path.endswith((".yaml", ".yml")):
        import yaml

        return yaml.safe_load(text), False
    return parse_text_format(text), True


def load_model_config(path: str) -> list[ModelConfig]:
    """Reads `--model_config_file`: TF Serving's `model_config_list` text format, or the same as YAML/JSON.

    Args:
        path: a `.txt`/`.config`/`.pbtxt` text-format file, or `.json`/`.yaml`.

    Returns:
        The `ModelConfig`s, relative `base_path`s resolved against the file's folder.

    Example:

    ```
    model_config_list {
      config {
        name: "digits"
        base_path: "/models/digits"
        model_platform: "tensorflow"
        model_version_policy { specific { versions: 1 versions: 2 } }
        version_labels { key: "stable" value: 1 }
      }
    }
    ```
    """
    document, text_format = _read_structured(path)
    if text_format:
        config_list = _one(document, "model_config_list", {})
        entries = [_from_text(entry) for entry in config_list.get("config", [])]
    else:
        config_list = document.get("model_config_list", document) if isinstance(document, dict) else document
        entries = config_list.get("config", []) if isinstance(config_list, dict) else config_list
        entries = [_from_structured(entry) for entry in entries or []]
    if not entries:
        raise ValueError(f"{path!r} configures no model. Expected `model_config_list {{ config {{ name: ... base_path: ... }} }}`.")
    folder = os.path.dirname(os.path.abspath(path))
    configs = []
    for entry in entries:
        entry["base_path"] = os.path.join(folder, os.path.expanduser(entry.get("base_path", "")))
        configs.append(ModelConfig(**entry))
    names = [c.name for c in configs]
    if len(set(names)) != len(names):
        raise ValueError(f"Model names must be unique in {path!r}. Received: {names}")
    return configs


def _policy(policy: dict) -> dict:
    if not policy:
        return {}
    if "all" in policy:
        return {"version_policy": "all"}
    if "specific" in policy:
        specific = policy["specific"]
        versions = specific.get("versions", []) if isinstance(specific, dict) else specific
        return {"version_policy": "specific", "versions": tuple(int(v) for v in (versions if isinstance(versions, list) else [versions]))}
    if "latest" in policy:
        latest = policy["latest"] or {}
        num = latest.get("num_versions", 1)
        return {"version_policy": "latest", "num_versions": int(num[-1] if isinstance(num, list) else num)}
    raise ValueError(f"Unknown model_version_policy {sorted(policy)}; expected latest, all or specific.")


def _from_text(entry: dict) -> dict:
    unknown = set(entry) - {"name", "base_path", "model_platform", "model_version_policy", "version_labels", "logging_config"}
    if unknown:
        raise ValueError(f"Unknown ModelConfig fields {sorted(unknown)}.")
    result = {"name": _one(entry, "name"), "base_path": _one(entry, "base_path", "")}
    policy = _one(entry, "model_version_policy", {})
    result.update(_policy({key: _flat(values[-1]) for key, values in policy.items()}))
    labels = {}
    for label in entry.get("version_labels", []):
        labels[_one(label, "key")] = _one(label, "value")
    result["version_labels"] = labels
    return result


def _flat(message):
    if not isinstance(message, dict):
        return message
    return {key: (values if key == "versions" else values[-1]) for key, values in message.items()}


def _from_structured(entry: dict) -> dict:
    if not isinstance(entry, dict):
        raise ValueError(f"Each model config must be a mapping with name and base_path. Received: {entry!r}")
    unknown = set(entry) - {"name", "base_path", "model_platform", "model_version_policy", "version_labels"}
    if unknown:
        raise ValueError(f"Unknown ModelConfig fields {sorted(unknown)}.")
    result = {"name": entry.get("name"), "base_path": entry.get("base_path", "")}
    result.update(_policy(entry.get("model_version_policy") or {}))
    labels = entry.get("version_labels") or {}
    if isinstance(labels, list):
        labels = {item["key"]: item["value"] for item in labels}
    result["version_labels"] = {str(k): int(v) for k, v in labels.items()}
    return result


_BATCHING_FIELDS = {
    "max_batch_size", "batch_timeout_micros", "max_enqueued_batches", "num_batch_threads",
    "allowed_batch_sizes", "pad_variable_length_inputs", "thread_pool_name", "enable_large_batch_splitting",
    "max_execution_batch_size",
}


def load_batching_parameters(path: str | None) -> BatchingParameters:
    """Reads `--batching_parameters_file` (TF Serving's text format, or YAML/JSON with plain values).

    Example:

    ```
    max_batch_size { value: 32 }
    batch_timeout_micros { value: 2000 }
    max_enqueued_batches { value: 100 }
    num_batch_threads { value: 1 }
    ```
    """
    if path is None:
        return BatchingParameters()
    document, text_format = _read_structured(path)
    unknown = set(document) - _BATCHING_FIELDS
    if unknown:
        raise ValueError(f"Unknown batching parameters {sorted(unknown)} in {path!r}. Known: {sorted(_BATCHING_FIELDS)}.")
    values = {}
    for field in ("max_batch_size", "batch_timeout_micros", "max_enqueued_batches", "num_batch_threads"):
        if field in document:
            value = document[field]
            if text_format:
                value = _one(value[-1], "value") if isinstance(value[-1], dict) else value[-1]
            elif isinstance(value, dict):
                value = value.get("value")
            values[field] = value
    if "allowed_batch_sizes" in document:
        values["allowed_batch_sizes"] = tuple(document["allowed_batch_sizes"])
    return BatchingParameters(**values)
