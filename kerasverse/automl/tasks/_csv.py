"""Reading `fit(x="train.csv", y="label")` for the table and series tasks."""

import os


def read_xy(x, y, name="x"):
    """`(features, targets)` from a CSV path or DataFrame plus a target column
    name; other inputs pass through unchanged."""
    import pandas as pd

    if isinstance(x, (str, os.PathLike)):
        if not os.path.exists(x):
            raise ValueError(f"The CSV file does not exist. Received: {name}={str(x)!r}.")
        x = pd.read_csv(x)
    if isinstance(y, str) or (isinstance(y, list) and y and all(isinstance(c, str) for c in y) and hasattr(x, "columns")):
        if not hasattr(x, "columns"):
            raise ValueError(
                f"A target column name needs a CSV path or a DataFrame as `{name}`. "
                f"Received: y={y!r} with {name} of type {type(x).__name__}."
            )
        columns = [y] if isinstance(y, str) else list(y)
        missing = [c for c in columns if c not in x.columns]
        if missing:
            raise ValueError(
                f"The target column(s) {missing} are not in the data. Received: y={y!r}; the "
                f"columns are {list(map(str, x.columns))}."
            )
        target = x[columns[0]].to_numpy() if isinstance(y, str) else x[columns].to_numpy()
        return x.drop(columns=columns), target
    return x, y
