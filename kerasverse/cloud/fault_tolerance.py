"""Checkpoints and restarts of a `cloud.run` job through Ray Train.

At the end of every epoch of every `fit`, every process calls
`ray.train.report` (Ray Train needs the same number of reports from each
rank); the chief attaches a checkpoint holding the model's and optimizer's
variables, the `fit` call's index and the epoch. When a worker dies, Ray
Train restarts the worker group (`FailureConfig(max_failures=...)`); the new
group reads the latest checkpoint once, on the chief, and shares it with
`broadcast_from_rank_zero` (ranks could otherwise see different ones). The
`fit` calls that had finished return at once, the interrupted one restores
the variables and resumes at the next epoch with the same shuffling order,
so the final model equals an uninterrupted run's.
"""

from __future__ import annotations

import json
import os
import tempfile
from typing import Any

import keras
import numpy as np

_STATE_FILE = "state.npz"
_META_FILE = "meta.json"


def _to_numpy(value: Any) -> np.ndarray:
    # A JAX array replicated over several processes is not fully addressable;
    # every process holds the whole value, so read the local copy (no collective).
    if hasattr(value, "addressable_data") and not getattr(value, "is_fully_addressable", True):
        return np.asarray(value.addressable_data(0))
    return np.asarray(keras.ops.convert_to_numpy(value))


def _training_variables(model: keras.Model) -> list:
    variables = list(model.variables)
    if model.optimizer is not None:
        variables += list(model.optimizer.variables)
    return variables


def load_restore_state() -> dict | None:
    """The latest checkpoint's state, read by the chief and shared with every rank."""
    import ray.train
    from ray.train.collective import broadcast_from_rank_zero

    state = None
    if ray.train.get_context().get_world_rank() == 0:
        checkpoint = ray.train.get_checkpoint()
        if checkpoint is not None:
            with checkpoint.as_directory() as directory:
                with open(os.path.join(directory, _META_FILE)) as file:
                    meta = json.load(file)
                with np.load(os.path.join(directory, _STATE_FILE)) as arrays:
                    values = [arrays[f"v{i}"] for i in range(len(meta["paths"]))]
            state = {**meta, "values": values}
    return broadcast_from_rank_zero(state)


class _ReportCallback(keras.callbacks.Callback):
    def __init__(self, checkpointing: Checkpointing, fit_index: int, datasets: list):
        super().__init__()
        self.checkpointing = checkpointing
        self.fit_index = fit_index
        self.datasets = datasets

    def on_train_begin(self, logs=None):
        state = self.checkpointing.restore_state
        if state is None or state["fit_index"] != self.fit_index:
            return
        variables = _training_variables(self.model)
        if len(variables) != len(state["values"]):
            raise ValueError(
                f"The checkpoint of fit call {self.fit_index} holds {len(state['values'])} "
                f"variables, but the model and optimizer have {len(variables)}: the script "
                "must build the same model on a restart."
            )
        for variable, value in zip(variables, state["values"]):
            variable.assign(value)
        self.model._initial_epoch = state["epoch"] + 1
        self.checkpointing.restored = True

    def on_epoch_end(self, epoch, logs=None):
        import ray.train

        metrics = {"fit_index": self.fit_index, "epoch": epoch}
        metrics.update({k: float(v) for k, v in (logs or {}).items() if np.ndim(v) == 0})
        if ray.train.get_context().get_world_rank() != 0:
            ray.train.report(metrics)
            return
        values = [_to_numpy(v.value) for v in _training_variables(self.model)]
        paths = [v.path for v in _training_variables(self.model)]
        with tempfile.TemporaryDirectory(prefix="kerasverse-ckpt-") as directory:
            np.savez(os.path.join(directory, _STATE_FILE), **{f"v{i}": v for i, v in enumerate(values)})
            with open(os.path.join(directory, _META_FILE), "w") as file:
                json.dump({"fit_index": self.fit_index, "epoch": epoch, "paths": paths}, file)
            ray.train.report(metrics, checkpoint=ray.train.Checkpoint.from_directory(directory))


class Checkpointing:
    """Per-process checkpoint state of a job (see the module docstring).

    Args:
        restore_state: What `load_restore_state()` returned at group start.
    """

    def __init__(self, restore_state: dict | None):
        self.restore_state = restore_state
        self.restored = False

    def skips(self, fit_index: int) -> bool:
        """Whether `fit` call `fit_index` had finished before the restart."""
        return self.restore_state is not None and fit_index < self.restore_state["fit_index"]

    def callback(self, fit_index: int, datasets: list) -> keras.callbacks.Callback:
        return _ReportCallback(self, fit_index, datasets)
