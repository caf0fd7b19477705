"""The fitted transform (`transform/transform.json` + the module file) and `TFTransformOutput`.

`transform.json`:

```json
{"format": "kerasverse.tft/1", "module_file": "preprocessing.py", "preprocessing_fn": "preprocessing_fn",
 "analyzers": [{"name": "mean", "value": 43.9}, {"name": "vocabulary/", "value": ["Adelie", ...]}],
 "raw_features": {"island": {"dtype": "string", "shape": []}, ...},
 "transformed_features": {"island": {"dtype": "int64", "shape": []}, ...},
 "label_key": "species"}
```
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from typing import Any

import numpy as np

from kerasverse.pipeline.tft.analysis_context import AnalysisContext
from kerasverse.pipeline.tft.analysis_context import is_pending
from kerasverse.pipeline.tft.analysis_context import use_context
from kerasverse.pipeline.tft.module_loader import load_fn

TRANSFORM_DIR = "transform"
TRANSFORM_FILE = "transform.json"
MODULE_COPY = "preprocessing.py"
FORMAT = "kerasverse.tft/1"
_SCHEMA_DTYPES = {"BYTES": "string", "FLOAT": "float32", "INT": "int64"}


def raw_features_from_schema(schema: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {feature["name"]: {"dtype": _SCHEMA_DTYPES[feature["type"]], "shape": []} for feature in schema["feature"]}


def batch_to_numpy(batch) -> dict[str, np.ndarray]:
    """A pyarrow batch as numpy columns: strings as object arrays (missing -> ""), numbers
    with missing values as float64 with NaN."""
    import pyarrow as pa

    columns = {}
    for name, column in zip(batch.schema.names, batch.columns):
        columns[name] = _arrow_to_numpy(column, pa)
    return columns


def _arrow_to_numpy(column, pa) -> np.ndarray:
    kind = column.type
    if pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_binary(kind):
        return np.array(["" if value is None else value for value in column.to_pylist()], dtype=object)
    if pa.types.is_fixed_size_list(kind) or pa.types.is_list(kind):
        return np.array(column.to_pylist(), dtype=np.float32)
    if column.null_count:
        return column.cast(pa.float64()).to_numpy(zero_copy_only=False)
    return column.to_numpy(zero_copy_only=False)


def rows_to_columns(instances: Any, raw_features: dict[str, dict[str, Any]],
                    fill_missing: tuple[str, ...] = ()) -> dict[str, np.ndarray]:
    """Raw rows (a list of dicts, or a dict of columns) as typed numpy columns.

    Features in `fill_missing` (the label at serving time) are filled with a
    missing value when absent; any other absent feature is an error.
    """
    if isinstance(instances, dict):
        columns = {key: list(np.asarray(value, dtype=object).ravel()) for key, value in instances.items()}
        lengths = {len(value) for value in columns.values()}
        if len(lengths) > 1:
            raise ValueError(f"The columns of `instances` have different lengths: {sorted(lengths)}.")
        num_rows = lengths.pop() if lengths else 0
    elif isinstance(instances, (list, tuple)):
        if not all(isinstance(row, dict) for row in instances):
            raise TypeError(
                "instances must be a list of row dicts ({'island': 'Biscoe', ...}) or a dict of columns. "
                f"Received: a list holding {type(next(r for r in instances if not isinstance(r, dict))).__name__}"
            )
        num_rows = len(instances)
        columns = {key: [row.get(key) for row in instances] for key in raw_features if any(key in row for row in instances)}
    else:
        raise TypeError(f"instances must be a list of row dicts or a dict of columns. Received: {type(instances).__name__}")
    result = {}
    for name, spec in raw_features.items():
        values = columns.get(name)
        if values is None:
            if name in fill_missing:
                values = [None] * num_rows
            else:
                raise ValueError(
                    f"Feature {name!r} is missing from the request. Expected the raw features "
                    f"{sorted(set(raw_features) - set(fill_missing))}. Received: {sorted(columns)}"
                )
        if spec["dtype"] == "string":
            result[name] = np.array(["" if value is None else str(value) for value in values], dtype=object)
        else:
            try:
                floats = np.array([np.nan if value is None else float(value) for value in values], dtype=np.float64)
            except (TypeError, ValueError) as error:
                raise ValueError(f"Feature {name!r} expects numbers ({spec['dtype']}). Received: {values[:3]!r}...") from error
            if spec["dtype"] == "int64" and not np.isnan(floats).any():
                result[name] = floats.astype(np.int64)
            else:
                result[name] = floats
    return result


def _json_value(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return {"ndarray": value.tolist(), "dtype": str(value.dtype)}
    return value


def _from_json_value(value: Any) -> Any:
    if isinstance(value, dict) and "ndarray" in value:
        return np.asarray(value["ndarray"], dtype=value["dtype"])
    return value


def analyze(preprocessing_fn: Callable, batches_factory: Callable[[], Any],
            max_passes: int = 8) -> tuple[list[Any], list[str]]:
    """Fits the analyzers of `preprocessing_fn` over the batches; returns their values.

    Returns:
        (values, names) of the analyzers, in call order.

    Args:
        preprocessing_fn: The user's function (dict of numpy columns -> dict).
        batches_factory: Returns a fresh iterable of numpy column dicts (one pass).
        max_passes: Nested analyzers (an analyzer of another's output) need one
            pass per level.
    """
    values: list[Any] = []
    fitted: list[bool] = []
    for _ in range(max_passes):
        context = AnalysisContext("analyze")
        context.values, context.fitted = list(values), list(fitted)
        saw_batch = False
        with use_context(context):
            for columns in batches_factory():
                saw_batch = True
                context.start_batch()
                preprocessing_fn(dict(columns))
        if not saw_batch:
            raise ValueError("Transform: the analysis split has no rows. Fix: check ExampleGen's output.")
        values, fitted = _finish_pass(context, values, fitted)
        if all(fitted):
            return values, list(context.names)
    raise ValueError(f"Transform: analyzers still depend on each other after {max_passes} passes over the data.")


def _finish_pass(context: AnalysisContext, values: list[Any], fitted: list[bool]) -> tuple[list[Any], list[bool]]:
    count = len(context.names)
    values = list(values) + [None] * (count - len(values))
    fitted = list(fitted) + [False] * (count - len(fitted))
    for index in range(count):
        if fitted[index] or index in context.blocked:
            continue
        accumulator = context.accumulators.get(index)
        values[index] = accumulator.result() if accumulator is not None else np.asarray(np.nan)
        fitted[index] = True
    return values, fitted


def apply_transform(preprocessing_fn: Callable, values: list[Any], columns: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Runs `preprocessing_fn` with fitted analyzers on a batch of raw numpy columns."""
    context = AnalysisContext("apply", values)
    with use_context(context):
        context.start_batch()
        outputs = preprocessing_fn(dict(columns))
    if not isinstance(outputs, dict):
        raise TypeError(f"preprocessing_fn must return a dict of features. Received: {type(outputs).__name__}")
    result = {}
    for key, value in outputs.items():
        array = np.asarray(value)
        if is_pending(value):
            array = np.asarray(value).view(np.ndarray)
        result[key] = array
    return result


def feature_spec(outputs: dict[str, np.ndarray]) -> dict[str, dict[str, Any]]:
    spec = {}
    for key, array in outputs.items():
        kind = array.dtype.kind
        dtype = "string" if kind in "OSU" else "int64" if kind in "biu" else "float32"
        spec[key] = {"dtype": dtype, "shape": list(array.shape[1:])}
    return spec


def save_transform(directory: str, module_file: str | None, preprocessing_fn_name: str | None,
                   values: list[Any], names: list[str], raw_features: dict[str, Any],
                   transformed_features: dict[str, Any], fn_path: str | None = None) -> str:
    """Writes `directory/transform/transform.json` (+ a copy of the module file)."""
    target = os.path.join(directory, TRANSFORM_DIR)
    os.makedirs(target, exist_ok=True)
    if module_file:
        shutil.copyfile(module_file, os.path.join(target, MODULE_COPY))
    document = {
        "format": FORMAT,
        "module_file": MODULE_COPY if module_file else None,
        "preprocessing_fn": fn_path or preprocessing_fn_name or "preprocessing_fn",
        "analyzers": [{"name": name, "value": _json_value(value)} for name, value in zip(names, values)],
        "raw_features": raw_features,
        "transformed_features": transformed_features,
        "label_key": None,
    }
    with open(os.path.join(target, TRANSFORM_FILE), "w") as handle:
        json.dump(document, handle, indent=1)
    return target


class TFTransformOutput:
    """A fitted transform, read from a TransformGraph folder (or a model's version folder).

    Args:
        transform_output_dir: A folder holding `transform/transform.json`.

    Example:

    ```python
    tf_transform_output = tft.TFTransformOutput(fn_args.transform_output)
    features = tf_transform_output.transform_raw_features({"island": np.array(["Biscoe"]), ...})
    ```
    """

    def __init__(self, transform_output_dir: str) -> None:
        path = os.path.join(transform_output_dir, TRANSFORM_DIR, TRANSFORM_FILE)
        if not os.path.isfile(path):
            raise ValueError(
                f"No fitted transform in {transform_output_dir}: expected {path}. Fix: pass a Transform "
                "component's transform_graph folder or a pushed model's version folder."
            )
        self.transform_output_dir = transform_output_dir
        with open(path) as handle:
            self.document = json.load(handle)
        if self.document.get("format") != FORMAT:
            raise ValueError(f"{path} has format {self.document.get('format')!r}; expected {FORMAT!r}.")
        self._values = [_from_json_value(item["value"]) for item in self.document["analyzers"]]
        self._fn: Callable | None = None

    @property
    def preprocessing_fn(self) -> Callable:
        if self._fn is None:
            module = self.document.get("module_file")
            if module:
                self._fn = load_fn("TFTransformOutput", self.document["preprocessing_fn"],
                                   module_file=os.path.join(self.transform_output_dir, TRANSFORM_DIR, module))
            else:
                self._fn = load_fn("TFTransformOutput", "preprocessing_fn", fn=self.document["preprocessing_fn"])
        return self._fn

    def raw_feature_spec(self) -> dict[str, dict[str, Any]]:
        return dict(self.document["raw_features"])

    def transformed_feature_spec(self) -> dict[str, dict[str, Any]]:
        return dict(self.document["transformed_features"])

    @property
    def label_key(self) -> str | None:
        return self.document.get("label_key")

    def vocabulary_by_name(self, vocab_filename: str) -> list[str]:
        """The fitted vocabulary named by `vocab_filename` in `compute_and_apply_vocabulary`."""
        for item, value in zip(self.document["analyzers"], self._values):
            if item["name"] == f"vocabulary/{vocab_filename}":
                return list(value)
        names = [item["name"].split("/", 1)[1] for item in self.document["analyzers"] if item["name"].startswith("vocabulary/")]
        raise ValueError(f"No vocabulary named {vocab_filename!r}. Named vocabularies: {names}")

    def transform_raw_features(self, raw_features: Any, drop_unused_features: bool = True) -> dict[str, np.ndarray]:
        """Applies the transform to raw rows (list of dicts) or columns (dict of arrays).

        A missing label column is filled (and its transformed output is still
        returned; drop it at serving time).
        """
        label = self.label_key
        columns = rows_to_columns(raw_features, self.raw_feature_spec(), fill_missing=(label,) if label else ())
        return apply_transform(self.preprocessing_fn, self._values, columns)
