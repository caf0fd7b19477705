"""What a module file's `run_fn(fn_args)` / `tuner_fn(fn_args)` receives (TFX's `FnArgs`),
and the data accessor that turns Parquet files into a Keras `PyDataset`."""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np

from kerasverse.pipeline.data.parquet_io import read_table


@dataclasses.dataclass
class DatasetOptions:
    """How `dataset_factory` batches (tfxio's `TensorFlowDatasetOptions` fields).

    Args:
        batch_size: Rows per batch.
        label_key: The column returned as labels (removed from the features).
        num_epochs: Passes over the data; None repeats forever (use `steps_per_epoch`).
        shuffle: Shuffle rows, again each epoch.
        shuffle_seed: The seed of the shuffles.
        drop_final_batch: Drop a last, smaller batch of an epoch.
    """

    batch_size: int = 32
    label_key: str | None = None
    num_epochs: int | None = None
    shuffle: bool = True
    shuffle_seed: int | None = 0
    drop_final_batch: bool = False


def _keras():
    import keras

    return keras


def table_to_columns(table) -> dict[str, np.ndarray]:
    import pyarrow as pa

    columns = {}
    for name, column in zip(table.column_names, table.columns):
        kind = column.type
        if pa.types.is_fixed_size_list(kind):
            columns[name] = np.asarray(column.combine_chunks().flatten().to_numpy(zero_copy_only=False)).reshape(len(column), kind.list_size)
        elif pa.types.is_string(kind) or pa.types.is_large_string(kind):
            columns[name] = np.asarray(column.to_pylist(), dtype=object)
        else:
            columns[name] = column.to_numpy()
        if columns[name].dtype == np.float64:
            columns[name] = columns[name].astype(np.float32)
    return columns


def make_py_dataset(columns: dict[str, np.ndarray], options: DatasetOptions):
    """A `keras.utils.PyDataset` of `(features dict, labels)` numpy batches over `columns`."""
    keras = _keras()
    label_key = options.label_key
    if label_key is not None and label_key not in columns:
        raise ValueError(f"DatasetOptions(label_key={label_key!r}) is not a column. Columns: {sorted(columns)}")
    labels = columns.get(label_key) if label_key else None
    features = {key: value for key, value in columns.items() if key != label_key}
    num_rows = len(next(iter(columns.values()))) if columns else 0
    if num_rows == 0:
        raise ValueError("dataset_factory: the files hold no rows.")

    class _ParquetDataset(keras.utils.PyDataset):
        def __init__(self) -> None:
            super().__init__()
            per_epoch = num_rows / options.batch_size
            self.batches_per_epoch = max(int(per_epoch) if options.drop_final_batch else math.ceil(per_epoch), 1)
            self._orders: dict[int, np.ndarray] = {}

        @property
        def num_batches(self):
            if options.num_epochs is None:
                return None
            return self.batches_per_epoch * options.num_epochs

        def __len__(self) -> int:
            return self.num_batches if self.num_batches is not None else self.batches_per_epoch

        def _order(self, epoch: int) -> np.ndarray:
            if epoch not in self._orders:
                if options.shuffle:
                    seed = None if options.shuffle_seed is None else options.shuffle_seed + epoch
                    self._orders = {epoch: np.random.default_rng(seed).permutation(num_rows)}
                else:
                    self._orders = {epoch: np.arange(num_rows)}
            return self._orders[epoch]

        def __getitem__(self, index: int):
            epoch, position = divmod(int(index), self.batches_per_epoch)
            rows = self._order(epoch)[position * options.batch_size:(position + 1) * options.batch_size]
            batch = {key: value[rows] for key, value in features.items()}
            if labels is None:
                return (batch,)
            return batch, labels[rows]

    return _ParquetDataset()


class DataAccessor:
    """`fn_args.data_accessor`: `dataset_factory(files, DatasetOptions, schema)` -> PyDataset.

    Records the label keys it was asked for (so the Trainer knows which
    transformed feature is the label at serving time).
    """

    def __init__(self) -> None:
        self.label_keys: list[str] = []

    def dataset_factory(self, file_pattern: list[str] | str, dataset_options: DatasetOptions,
                        schema: Any = None):
        files = [file_pattern] if isinstance(file_pattern, str) else list(file_pattern)
        if not files:
            raise ValueError("dataset_factory: no files. Received: file_pattern=[]")
        if not isinstance(dataset_options, DatasetOptions):
            raise TypeError(f"dataset_factory expects tfx.DatasetOptions(...). Received: {dataset_options!r}")
        if dataset_options.label_key and dataset_options.label_key not in self.label_keys:
            self.label_keys.append(dataset_options.label_key)
        return make_py_dataset(table_to_columns(read_table(files)), dataset_options)

    # TFX spells it both ways.
    tf_dataset_factory = dataset_factory


@dataclasses.dataclass
class FnArgs:
    """TFX's `FnArgs`: what `run_fn` and `tuner_fn` receive."""

    working_dir: str = ""
    train_files: list[str] = dataclasses.field(default_factory=list)
    eval_files: list[str] = dataclasses.field(default_factory=list)
    train_steps: int | None = None
    eval_steps: int | None = None
    schema_path: str | None = None
    schema_file: str | None = None
    transform_graph_path: str | None = None
    transform_output: str | None = None
    serving_model_dir: str = ""
    eval_model_dir: str = ""
    model_run_dir: str = ""
    base_model: str | None = None
    hyperparameters: dict[str, Any] | None = None
    custom_config: dict[str, Any] = dataclasses.field(default_factory=dict)
    data_accessor: DataAccessor = dataclasses.field(default_factory=DataAccessor)
