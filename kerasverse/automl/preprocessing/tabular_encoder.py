"""`TabularEncoder`: raw table rows (DataFrame, array, CSV rows) -> a float matrix, on the host."""

import math

import numpy as np

NUMERICAL = "numerical"
CATEGORICAL = "categorical"


def _is_missing(value):
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    try:
        import pandas as pd

        return bool(pd.isna(value)) if np.ndim(value) == 0 else False
    except ImportError:  # pragma: no cover - pandas is an automl dependency.
        return False


def to_columns(x, column_names=None):
    """A dict `{column name: 1-D numpy array}` from a DataFrame, a 2-D array or
    a list of rows; `column_names` names the columns of arrays."""
    if hasattr(x, "columns") and hasattr(x, "iloc"):  # pandas DataFrame
        names = [str(c) for c in x.columns]
        return {name: x.iloc[:, i].to_numpy() for i, name in enumerate(names)}
    if isinstance(x, dict):
        return {str(k): np.asarray(v) for k, v in x.items()}
    array = np.asarray(x, dtype=object) if _has_strings(x) else np.asarray(x)
    if array.ndim == 1:
        array = array.reshape(-1, 1)
    if array.ndim != 2:
        raise ValueError(
            "Structured data must be 2-D (rows, columns): a DataFrame, a 2-D array or a "
            f"CSV path. Received: x with shape {array.shape}."
        )
    if column_names is None:
        column_names = [f"column_{i}" for i in range(array.shape[1])]
    if len(column_names) != array.shape[1]:
        raise ValueError(
            f"`column_names` has {len(column_names)} names but the data has "
            f"{array.shape[1]} columns. Received: column_names={list(column_names)}."
        )
    return {name: array[:, i] for i, name in enumerate(column_names)}


def _has_strings(x):
    try:
        array = np.asarray(x)
    except (ValueError, TypeError):
        return True
    return array.dtype.kind in "OUS"


def _as_float(values):
    """Floats with NaN for missing/unparsable entries, or None if the column
    is not numerical (some non-empty entry is not a number)."""
    values = np.asarray(values)
    if values.dtype.kind in "biuf":
        return values.astype("float64")
    out = np.empty(len(values), dtype="float64")
    for i, value in enumerate(values):
        if _is_missing(value) or (isinstance(value, str) and value.strip() == ""):
            out[i] = np.nan
            continue
        try:
            out[i] = float(value)
        except (TypeError, ValueError):
            return None
    return out


class TabularEncoder:
    """Encodes table rows to a float32 matrix: numerical columns as floats
    (missing values -> the training median, plus nothing else), categorical
    columns as the index of their value in a vocabulary learned on the
    training rows (0 = missing or unseen). Fitted on the training split only;
    its state is a small JSON dict saved beside the model.

    Args:
        column_names: The columns to use, in order (default: all of the
            training data's, or `column_0`... for arrays).
        column_types: `{name: "numerical" | "categorical"}`; the others are
            inferred (numbers -> numerical, else categorical).

    Example:

    ```python
    encoder = TabularEncoder()
    encoder.fit(pd.DataFrame({"age": [30, None], "city": ["Paris", "Oslo"]}))
    encoder.transform(pd.DataFrame({"age": [40], "city": ["Oslo"]}))  # [[40., 2.]]
    ```
    """

    def __init__(self, column_names=None, column_types=None):
        self.column_names = list(column_names) if column_names is not None else None
        self.column_types = dict(column_types or {})
        for name, kind in self.column_types.items():
            if kind not in (NUMERICAL, CATEGORICAL):
                raise ValueError(
                    f"Column types must be 'numerical' or 'categorical'. Received: "
                    f"column_types={{{name!r}: {kind!r}}}."
                )
        if self.column_names is not None:
            unknown = [name for name in self.column_types if name not in self.column_names]
            if unknown:
                raise ValueError(
                    f"`column_types` names columns that are not in `column_names`: {unknown}. "
                    f"Received: column_names={self.column_names}."
                )
        self.fill_values = {}
        self.vocabularies = {}

    def _columns(self, x):
        given = None
        if self.column_names is not None and not hasattr(x, "columns") and not isinstance(x, dict):
            given = self.column_names
        columns = to_columns(x, given)
        names = self.column_names or list(columns)
        missing = [name for name in names if name not in columns]
        if missing:
            raise ValueError(
                f"Columns {missing} are not in the data. Expected columns: {names}. "
                f"Received: columns {list(columns)}."
            )
        return columns, names

    def fit(self, x):
        columns, names = self._columns(x)
        self.column_names = names
        for name in names:
            values = columns[name]
            kind = self.column_types.get(name)
            floats = _as_float(values) if kind != CATEGORICAL else None
            if kind is None:
                kind = NUMERICAL if floats is not None else CATEGORICAL
                self.column_types[name] = kind
            if kind == NUMERICAL:
                if floats is None:
                    raise ValueError(
                        f"Column {name!r} is declared numerical but holds non-numeric values "
                        f"(e.g. {values[0]!r}). Declare it 'categorical' in `column_types`."
                    )
                finite = floats[np.isfinite(floats)]
                self.fill_values[name] = float(np.median(finite)) if len(finite) else 0.0
            else:
                counts = {}
                for value in values:
                    if not _is_missing(value):
                        key = str(value)
                        counts[key] = counts.get(key, 0) + 1
                self.vocabularies[name] = sorted(counts, key=lambda k: (-counts[k], k))
        return self

    @property
    def num_features(self):
        return len(self.column_names)

    @property
    def has_categorical(self):
        return any(kind == CATEGORICAL for kind in self.column_types.values())

    def transform(self, x):
        columns, names = self._columns(x)
        out = np.zeros((len(columns[names[0]]), len(names)), dtype="float32")
        for j, name in enumerate(names):
            values = columns[name]
            if self.column_types[name] == NUMERICAL:
                floats = _as_float(values)
                if floats is None:
                    raise ValueError(
                        f"Column {name!r} was numerical in training but holds non-numeric "
                        f"values now (e.g. {values[0]!r})."
                    )
                floats = np.where(np.isfinite(floats), floats, self.fill_values[name])
                out[:, j] = floats
            else:
                index = {value: i + 1 for i, value in enumerate(self.vocabularies[name])}
                out[:, j] = [0 if _is_missing(v) else index.get(str(v), 0) for v in values]
        return out

    def get_state(self):
        return {
            "column_names": self.column_names,
            "column_types": self.column_types,
            "fill_values": self.fill_values,
            "vocabularies": self.vocabularies,
        }

    @classmethod
    def from_state(cls, state):
        encoder = cls(state["column_names"], state["column_types"])
        encoder.fill_values = dict(state["fill_values"])
        encoder.vocabularies = {k: list(v) for k, v in state["vocabularies"].items()}
        return encoder
