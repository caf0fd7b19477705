"""`UpdatePruningStep` and `PruningSummaries` callbacks."""

import json
import os

import keras
import numpy as np

from kerasverse.optimize.sparsity.pruning_wrapper import PruneLowMagnitude


def _pruning_wrappers(model):
    return [
        layer
        for layer in model._flatten_layers(include_self=False, recursive=True)
        if isinstance(layer, PruneLowMagnitude)
    ]


def _sync_state(model):
    # On JAX the trainer keeps variables outside the model during an epoch;
    # reading them mid-epoch needs this sync (a no-op on other backends).
    sync = getattr(model, "jax_state_sync", None)
    if sync is not None and getattr(model, "_jax_state", None) is not None:
        sync()


class UpdatePruningStep(keras.callbacks.Callback):
    """Keeps the pruned weights at zero between epochs (tfmot compatibility).

    In kerasverse the masks and the pruning step are updated inside the
    training step itself (see `PruneLowMagnitude`), which is what makes
    pruning work under `jax.jit`; this callback is not required for that.
    It checks at the start of training that the model has pruning wrappers
    and, at the end of each epoch, writes `weight * mask` back into the
    weights so `model.get_weights()` shows the zeros.

    Example:

    ```python
    pruned.fit(x, y, epochs=2, callbacks=[sparsity.UpdatePruningStep()])
    ```
    """

    def on_train_begin(self, logs=None):
        if not _pruning_wrappers(self.model):
            raise ValueError(
                "`UpdatePruningStep` is used with a model that has no `PruneLowMagnitude` "
                f"layer. Received model '{self.model.name}'. Call "
                "`prune_low_magnitude(model)` first, or drop the callback."
            )

    def on_epoch_end(self, batch, logs=None):  # tfmot names the epoch index `batch`.
        _sync_state(self.model)
        for wrapper in _pruning_wrappers(self.model):
            for weight, mask in zip(wrapper.prunable_weights, wrapper.masks):
                weight.assign(keras.ops.multiply(weight, mask))


class PruningSummaries(keras.callbacks.Callback):
    """Writes the sparsity of every pruned weight to `log_dir`.

    Appends one JSON object per record to `log_dir/pruning_summaries.jsonl`:
    `{"step": ..., "epoch": ..., "sparsity": {weight_path: fraction},
    "threshold": {weight_path: value}}` (tfmot writes the same figures to
    TensorBoard; this file needs no TensorFlow).

    Args:
        log_dir: the folder to write to (created if missing).
        update_freq: `"epoch"` (default), `"batch"`, or an integer number of
            batches between records.

    Example:

    ```python
    pruned.fit(x, y, callbacks=[sparsity.UpdatePruningStep(),
                                sparsity.PruningSummaries(log_dir="logs")])
    ```
    """

    def __init__(self, log_dir, update_freq="epoch"):
        super().__init__()
        if not isinstance(log_dir, (str, os.PathLike)):
            raise ValueError(
                f"Argument `log_dir` must be a folder path. Received: log_dir={log_dir!r}."
            )
        if update_freq == "batch":
            update_freq = 1
        if update_freq != "epoch" and not (isinstance(update_freq, int) and update_freq >= 1):
            raise ValueError(
                'Argument `update_freq` must be "epoch", "batch" or an integer >= 1. '
                f"Received: update_freq={update_freq!r}."
            )
        self.log_dir = os.fspath(log_dir)
        self.update_freq = update_freq
        self.path = os.path.join(self.log_dir, "pruning_summaries.jsonl")
        self._epoch = 0

    def on_train_begin(self, logs=None):
        os.makedirs(self.log_dir, exist_ok=True)

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if self.update_freq != "epoch" and (batch + 1) % self.update_freq == 0:
            self._write()

    def on_epoch_end(self, epoch, logs=None):
        if self.update_freq == "epoch":
            self._write()

    def _write(self):
        _sync_state(self.model)
        record = {"step": None, "epoch": self._epoch, "sparsity": {}, "threshold": {}}
        for wrapper in _pruning_wrappers(self.model):
            record["step"] = int(keras.ops.convert_to_numpy(wrapper.pruning_step))
            for weight, mask, threshold in zip(
                wrapper.prunable_weights, wrapper.masks, wrapper.thresholds
            ):
                mask_value = keras.ops.convert_to_numpy(mask)
                record["sparsity"][weight.path] = float(1.0 - np.mean(mask_value))
                record["threshold"][weight.path] = float(keras.ops.convert_to_numpy(threshold))
        with open(self.path, "a") as handle:
            handle.write(json.dumps(record) + "\n")
