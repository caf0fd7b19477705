"""Nodes of the AutoModel graph: `Input` and its typed variants.

An input node checks the raw data of its kind before any trial, learns its
host-side preprocessing on the training split only (`fit`), turns raw data
into model inputs (`transform`) and builds the `keras.Input` of a trial.
"""

import numpy as np

from kerasverse.automl.preprocessing.tabular_encoder import TabularEncoder
from kerasverse.automl.preprocessing.text_encoder import TextEncoder
from kerasverse.automl.preprocessing.text_encoder import as_strings


class Node:
    """A tensor of the graph: the output of a block or an input."""

    def __init__(self, name=None, shape=None):
        self.name = name
        self.shape = shape
        self.in_blocks = []
        self.out_blocks = []


class Input(Node):
    """A numeric input: a numpy array (or anything `np.asarray` takes).

    Args:
        name: The input's name (default `input_1`, ...).

    Example:

    ```python
    input_node = ak.Input()
    output_node = ak.DenseBlock()(input_node)
    output_node = ak.RegressionHead()(output_node)
    ```
    """

    dtype = "float32"
    # The exported model takes the raw data only if this is False.
    needs_host_preprocessing = False

    def check(self, x, name="x"):
        """Raises a clear error for data of the wrong kind; returns its rows."""
        array = self._array(x, name)
        return len(array)

    def _array(self, x, name):
        if hasattr(x, "to_numpy"):
            x = x.to_numpy()
        try:
            array = np.asarray(x, dtype="float32")
        except (TypeError, ValueError) as error:
            raise ValueError(
                f"{type(self).__name__} takes numeric arrays. Received: {name} that cannot be "
                f"converted to float32 ({error}). For strings use ak.TextInput or "
                "ak.StructuredDataInput."
            ) from None
        if array.ndim == 0:
            raise ValueError(f"{type(self).__name__} needs a batch of rows. Received: {name}={x!r}.")
        return array

    def fit(self, x):
        """Learns the host-side preprocessing on the training split."""
        array = self._array(x, "x")
        self.shape = (None,) + tuple(array.shape[1:]) if array.ndim > 1 else (None, 1)
        return self

    def transform(self, x):
        array = self._array(x, "x")
        return array.reshape(len(array), 1) if array.ndim == 1 else array

    def build_input(self):
        import keras

        return keras.Input(shape=self.shape[1:], dtype=self.dtype, name=self.name)

    def get_state(self):
        return {"shape": list(self.shape) if self.shape else None}

    def set_state(self, state):
        self.shape = tuple(state["shape"]) if state.get("shape") else None


class ImageInput(Input):
    """Images: `(num, height, width)` or `(num, height, width, channels)`.

    Example:

    ```python
    output = ak.ClassificationHead()(ak.ImageBlock()(ak.ImageInput()))
    ```
    """

    def check(self, x, name="x"):
        array = self._array(x, name)
        if array.ndim not in (3, 4):
            raise ValueError(
                "ImageInput expects images of shape (num_images, height, width) or "
                "(num_images, height, width, channels). Received: "
                f"{name} with shape {array.shape}. Reshape flat rows first, e.g. "
                "x.reshape(-1, 8, 8)."
            )
        return len(array)

    def transform(self, x):
        array = self._array(x, "x")
        return array[..., None] if array.ndim == 3 else array

    def fit(self, x):
        self.shape = (None,) + self.transform(x).shape[1:]
        return self


class TextInput(Input):
    """Raw text: a list or 1-D array of strings. Tokenized on the host with a
    WordPiece vocabulary learned on the training split only.

    Args:
        max_tokens: The largest vocabulary (default 20000).
        name: The input's name.

    Example:

    ```python
    output = ak.ClassificationHead()(ak.TextBlock(block_type="ngram")(ak.TextInput()))
    ```
    """

    dtype = "int32"
    needs_host_preprocessing = True

    def __init__(self, name=None, max_tokens=20000):
        super().__init__(name=name)
        self.max_tokens = max_tokens
        self.encoder = None

    def check(self, x, name="x"):
        return len(as_strings(x, name))

    def fit(self, x):
        self.encoder = TextEncoder(max_tokens=self.max_tokens).fit(x)
        self.shape = (None, self.encoder.sequence_length)
        return self

    @property
    def vocabulary_size(self):
        return self.encoder.vocabulary_size

    def transform(self, x):
        return self.encoder.transform(x)

    def get_state(self):
        return {"shape": list(self.shape), "encoder": self.encoder.get_state()}

    def set_state(self, state):
        self.shape = tuple(state["shape"])
        self.encoder = TextEncoder.from_state(state["encoder"])

    def encoder_config(self):
        return {"kind": "text", **self.encoder.get_state()}


class StructuredDataInput(Input):
    """Table rows: a pandas DataFrame, a 2-D array (numbers or strings) or
    (through the tasks) a CSV path. Categorical strings and missing values
    are encoded on the host (see `TabularEncoder`).

    Args:
        column_names: The column names (for arrays; DataFrames and CSVs carry
            theirs). None: all columns.
        column_types: `{name: "numerical" | "categorical"}`; others inferred.
        name: The input's name.

    Example:

    ```python
    node = ak.StructuredDataInput(column_types={"city": "categorical"})
    ```
    """

    needs_host_preprocessing = True

    def __init__(self, column_names=None, column_types=None, name=None):
        super().__init__(name=name)
        self.column_names = column_names
        self.column_types = column_types
        self.encoder = TabularEncoder(column_names, column_types)

    def check(self, x, name="x"):
        columns, names = self.encoder._columns(x)
        return len(columns[names[0]])

    def fit(self, x):
        self.encoder = TabularEncoder(self.column_names, self.column_types).fit(x)
        self.shape = (None, self.encoder.num_features)
        return self

    def transform(self, x):
        return self.encoder.transform(x)

    def get_state(self):
        return {"shape": list(self.shape), "encoder": self.encoder.get_state()}

    def set_state(self, state):
        self.shape = tuple(state["shape"])
        self.encoder = TabularEncoder.from_state(state["encoder"])

    def encoder_config(self):
        return {"kind": "tabular", **self.encoder.get_state()}


class TimeseriesInput(StructuredDataInput):
    """A multivariate series `(steps, features)` (DataFrame, array or CSV),
    cut into windows of `lookback` steps: the window ending at step `t` is
    one sample `(lookback, features)`.

    Args:
        lookback: The number of steps in each window.
        column_names, column_types: As `StructuredDataInput`.
        name: The input's name.

    Example:

    ```python
    node = ak.TimeseriesInput(lookback=24)
    ```
    """

    # The exported model takes windows of encoded features.
    needs_host_preprocessing = False

    def __init__(self, lookback=None, column_names=None, column_types=None, name=None):
        super().__init__(column_names=column_names, column_types=column_types, name=name)
        if lookback is None or isinstance(lookback, bool) or not isinstance(lookback, int) or lookback < 1:
            raise ValueError(
                "`lookback` (the steps in each input window) must be a positive int. "
                f"Received: lookback={lookback!r}."
            )
        self.lookback = lookback

    def check(self, x, name="x"):
        rows = super().check(x, name)
        if rows < self.lookback:
            raise ValueError(
                f"The series has {rows} steps, fewer than lookback={self.lookback}. "
                f"Received: {name} with {rows} rows."
            )
        return rows - self.lookback + 1

    def fit(self, x):
        super().fit(x)
        self.shape = (None, self.lookback, self.encoder.num_features)
        return self

    def transform(self, x):
        table = self.encoder.transform(x)
        windows = np.lib.stride_tricks.sliding_window_view(table, self.lookback, axis=0)
        return np.ascontiguousarray(np.swapaxes(windows, 1, 2), dtype="float32")

    def encoder_config(self):
        return None  # The exported model takes windows of encoded features.
